"""The panel's interface words and the kind answers to bad requests, in the visitor's language."""

from __future__ import annotations

from core.i18n import N_, gettext_for

RTL = frozenset({"ar"})

UI = {
    "title": N_("Assistant 20 000 emplois"),
    "open": N_("Ouvrir le chat de l'assistant 20 000 emplois"),
    "close": N_("Fermer le chat"),
    "input": N_("Votre message"),
    "send": N_("Envoyer"),
    "log": N_("Conversation avec l'assistant"),
    "you": N_("Vous"),
    "bot": N_("Assistant"),
    "map": N_("Voir sur la carte (OpenStreetMap)"),
    "download": N_("Télécharger"),
    "unread": N_("nouveaux messages"),
    "offline": N_("Connexion perdue. Nouvel essai dans un instant…"),
    "sending": N_("Envoi…"),
    "retry": N_("Le message n'est pas parti. Vérifiez votre connexion et réessayez."),
}

TOO_LONG = N_("Votre message est trop long. Écrivez-le en plusieurs fois, s'il vous plaît.")
TOO_FAST = N_("Vous envoyez beaucoup de messages. Attendez une minute, puis réessayez.")
EMPTY = N_("Votre message est vide. Écrivez quelques mots, puis envoyez.")
EXPIRED = N_("Votre session a expiré. Rechargez la page pour reprendre la conversation.")
REFUSED = N_("Ce site n'est pas autorisé à afficher le chat de l'assistant.")
BROKEN = N_("Désolé, un problème technique m'empêche de répondre. Réessayez dans un instant.")


def ui(locale: str) -> dict[str, str]:
    """The interface words for ``locale``, and the text direction."""
    _ = gettext_for(locale).gettext
    words = {key: _(text) for key, text in UI.items()}
    words["dir"] = "rtl" if locale in RTL else "ltr"
    words["lang"] = locale
    return words


def say(locale: str, text: str) -> str:
    """One of the messages above in ``locale``."""
    return gettext_for(locale).gettext(text)
