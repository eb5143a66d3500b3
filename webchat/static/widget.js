/* The web chat widget of the Assistant 20 000 emplois.
 * <script src="https://…/chat/widget.js" defer></script> adds a launcher and a panel to any
 * allowed page; /chat opens the same panel full screen (data-mode="page").
 * Messages are shown with textContent only: nothing a message says is parsed as HTML.
 * Live over a WebSocket; long polling when a proxy drops WebSockets (data-transport="poll"
 * forces it). The visitor's token stays in this site's localStorage. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || window.__ae20000Chat) { return; }
  window.__ae20000Chat = true;
  var base = new URL(".", script.src).href;            // …/chat/
  var pageMode = script.dataset.mode === "page";
  var forcePoll = script.dataset.transport === "poll";
  var KEY = "ae20000.chat.token";
  var ui = { title: "Assistant 20 000 emplois", open: "Ouvrir le chat de l'assistant 20 000 emplois",
    close: "Fermer le chat", input: "Votre message", send: "Envoyer", log: "Conversation avec l'assistant",
    you: "Vous", bot: "Assistant", map: "Voir sur la carte (OpenStreetMap)", download: "Télécharger",
    unread: "nouveaux messages", offline: "Connexion perdue. Nouvel essai dans un instant…",
    sending: "Envoi…", retry: "Le message n'est pas parti. Vérifiez votre connexion et réessayez.",
    dir: "ltr", lang: "fr" };
  var state = { token: null, shown: {}, last: 0, unread: 0, open: pageMode, ws: null, live: false,
    polling: false, started: false, count: 0, seq: 0, pending: {} };

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) { node.className = cls; }
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    return node;
  }

  // ------------------------------------------------------------------ the DOM
  var host = el("div");
  host.setAttribute("data-ae20000-chat", "");
  var root = host.attachShadow({ mode: "open" });
  var css = el("link"); css.rel = "stylesheet"; css.href = base + "widget.css";
  var wc = el("div", "wc" + (pageMode ? " page" : ""));
  var launcher = el("button", "launcher");
  launcher.type = "button";
  var launcherText = el("span", null, ui.bot);
  var badge = el("span", "badge"); badge.hidden = true;
  launcher.append(launcherText, badge);
  var panel = el("section", "panel"); panel.id = "ae20000-chat-panel";
  launcher.setAttribute("aria-controls", panel.id);
  var header = el("header");
  var title = el("h2", null, ui.title); title.id = "ae20000-chat-title";
  panel.setAttribute("aria-labelledby", title.id);
  var closeBtn = el("button", null, "×"); closeBtn.type = "button";
  header.append(title);
  if (!pageMode) { header.append(closeBtn); }
  var log = el("div", "log");
  log.setAttribute("role", "log"); log.setAttribute("aria-live", "polite");
  log.setAttribute("aria-relevant", "additions"); log.tabIndex = 0;
  var status = el("p", "status"); status.setAttribute("role", "status");
  var form = el("form");
  var label = el("label", "vh", ui.input); label.htmlFor = "ae20000-chat-input";
  var input = el("textarea"); input.id = "ae20000-chat-input"; input.rows = 1; input.maxLength = 1000;
  input.autocomplete = "off";
  var sendBtn = el("button", null, ui.send); sendBtn.type = "submit";
  form.append(label, input, sendBtn);
  panel.append(header, log, status, form);
  if (!pageMode) { wc.append(launcher); }
  wc.append(panel);
  root.append(css, wc);
  (pageMode && document.getElementById("chat-root") || document.body).append(host);

  function applyUi(words) {
    if (!words) { return; }
    for (var k in words) { if (Object.prototype.hasOwnProperty.call(words, k)) { ui[k] = words[k]; } }
    title.textContent = ui.title; closeBtn.setAttribute("aria-label", ui.close);
    label.textContent = ui.input; sendBtn.textContent = ui.send; log.setAttribute("aria-label", ui.log);
    panel.setAttribute("dir", ui.dir); panel.setAttribute("lang", ui.lang);
    launcherText.textContent = ui.bot; showBadge();
  }
  function showBadge() {
    badge.hidden = state.open || state.unread < 1;
    badge.textContent = String(state.unread);
    launcher.setAttribute("aria-label", ui.open + (state.unread > 0 && !state.open ? " (" + state.unread + " " + ui.unread + ")" : ""));
    launcher.setAttribute("aria-expanded", String(state.open));
  }

  // ------------------------------------------------------------------ rendering
  function download(doc) {
    var bytes = atob(doc.data), arr = new Uint8Array(bytes.length);
    for (var i = 0; i < bytes.length; i++) { arr[i] = bytes.charCodeAt(i); }
    var link = el("a", null, ui.download + " " + doc.filename);
    link.href = URL.createObjectURL(new Blob([arr], { type: doc.mime || "application/octet-stream" }));
    link.download = doc.filename;
    return link;
  }
  function render(item) {
    if (item.id) {
      if (state.shown[item.id]) { return; }
      state.shown[item.id] = true; state.last = Math.max(state.last, item.id);
    }
    if (item.notice) { status.textContent = item.notice; }
    var role = item.role === "visitor" ? "visitor" : item.role === "counsellor" ? "counsellor" : "bot";
    var box = el("div", "msg " + role);
    box.append(el("span", "who", (role === "visitor" ? ui.you : ui.bot) + " : "));
    if (item.text) { box.append(el("p", null, item.text)); }
    if (item.venue) {
      var venue = el("div", "venue");
      venue.append(el("strong", null, item.venue.title), el("span", null, item.venue.address));
      var map = el("a", null, ui.map); map.href = item.venue.map; map.target = "_blank"; map.rel = "noopener noreferrer";
      venue.append(el("br"), map); box.append(venue);
    }
    if (item.document) {
      var file = el("div", "file");
      if (item.document.caption) { file.append(el("p", null, item.document.caption)); }
      file.append(download(item.document)); box.append(file);
    }
    (item.buttons || []).forEach(function (row) {
      var actions = el("div", "actions");
      row.forEach(function (b) {
        var node;
        if (b.url) { node = el("a", null, b.label); node.href = b.url; node.target = "_blank"; node.rel = "noopener noreferrer"; }
        else { node = el("button", null, b.label); node.type = "button";
          node.addEventListener("click", function () { send({ button: b.payload, label: b.label }); }); }
        actions.append(node);
      });
      box.append(actions);
    });
    if (!item.text && !item.venue && !item.document && !(item.buttons || []).length) { return; }
    log.append(box);
    log.scrollTop = log.scrollHeight;
    if (role !== "visitor" && item.id) {
      if (state.open) { seen(); } else { state.unread += 1; showBadge(); }
    }
  }

  // ------------------------------------------------------------------ transport
  function post(path, body) {
    body.token = state.token; body.language = navigator.language;
    return fetch(base + "api/" + path, { method: "POST", headers: { "content-type": "application/json" },
      body: JSON.stringify(body), credentials: "omit" }).then(function (r) {
      return r.json().then(function (data) { if (!r.ok) { data.failed = r.status; } return data; });
    });
  }
  var seenTimer = null, seenSent = 0;
  function flushSeen() {
    seenTimer = null;
    if (!state.last || state.last <= seenSent) { return; }
    seenSent = state.last;
    if (state.live) { state.ws.send(JSON.stringify({ type: "seen", id: state.last })); }
    else { post("seen", { id: state.last }).catch(function () { seenSent = 0; }); }
  }
  function seen() {
    if (!seenTimer) { seenTimer = setTimeout(flushSeen, 100); }
  }
  window.addEventListener("pagehide", function () {   // leaving right after reading
    if (!seenTimer || !state.last || !navigator.sendBeacon) { return; }
    clearTimeout(seenTimer); seenTimer = null; seenSent = state.last;
    navigator.sendBeacon(base + "api/seen", JSON.stringify({ token: state.token, id: state.last }));
  });
  function send(body) {
    body.id = "m" + Date.now().toString(36) + "-" + (state.seq++);
    status.textContent = "";
    if (state.live) { state.pending[body.id] = body; body.token = state.token; body.language = navigator.language;
      state.ws.send(JSON.stringify(body)); return; }
    status.textContent = ui.sending;
    post("send", body).then(function (data) {
      status.textContent = data.error || "";
      applyUi(data.ui);
      (data.items || []).forEach(render);
    }).catch(function () { status.textContent = ui.retry; });
  }
  function connect() {
    if (forcePoll || !window.WebSocket) { return poll(); }
    var ready = false;
    var ws = new WebSocket(base.replace(/^http/, "ws") + "ws");
    state.ws = ws;
    ws.onopen = function () { ws.send(JSON.stringify({ type: "hello", token: state.token, after: state.last, language: navigator.language })); };
    ws.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "ready") { ready = true; state.live = true; status.textContent = ""; (data.items || []).forEach(render); firstTurn(); }
      else if (data.type === "item") { render(data.item); }
      else if (data.type === "done") { delete state.pending[data.id]; applyUi(data.ui); }
      else if (data.type === "error") { status.textContent = data.text; }
    };
    ws.onclose = function () {
      state.live = false;
      if (!ready) { return poll(); }                 // the proxy drops WebSockets
      status.textContent = ui.offline;
      setTimeout(connect, 2000);
    };
  }
  function poll() {
    if (state.polling) { return; }
    state.polling = true; firstTurn();
    (function loop() {
      post("poll", { after: state.last }).then(function (data) {
        (data.items || []).forEach(render);
        if (data.failed === 401) { status.textContent = data.error; return; }
        setTimeout(loop, data.failed ? 3000 : 50);
      }).catch(function () { status.textContent = ui.offline; setTimeout(loop, 3000); });
    })();
  }
  function firstTurn() {
    if (state.started || !state.open) { return; }
    state.started = true;
    if (!state.count) { send({ start: true }); }       // the welcome and the consent question
  }

  // ------------------------------------------------------------------ opening
  function setOpen(open) {
    state.open = open; panel.hidden = !open;
    if (open) { state.unread = 0; log.scrollTop = log.scrollHeight; input.focus(); seen(); firstTurn(); }
    else { launcher.focus(); }
    showBadge();
  }
  launcher.addEventListener("click", function () { setOpen(!state.open); });
  closeBtn.addEventListener("click", function () { setOpen(false); });
  panel.addEventListener("keydown", function (e) { if (e.key === "Escape" && !pageMode) { setOpen(false); } });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = ""; send({ text: text });
  });

  panel.hidden = !state.open;
  applyUi({});
  var saved = null;
  try { saved = window.localStorage.getItem(KEY); } catch (e) { saved = null; }
  state.token = saved;
  post("session", {}).then(function (data) {
    if (data.error) { status.textContent = data.error; return; }
    state.token = data.token;
    try { window.localStorage.setItem(KEY, data.token); } catch (e) { /* private mode: this visit only */ }
    applyUi(data.ui);
    state.count = (data.items || []).length;
    (data.items || []).forEach(render);
    state.unread = state.open ? 0 : data.unread; showBadge();
    connect();
  }).catch(function () { status.textContent = ui.offline; });
})();
