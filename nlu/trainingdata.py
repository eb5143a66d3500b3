"""Read Rasa 3.x NLU YAML (intents, entity annotations, synonyms, lookups, regexes)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

# [text](entity), [text](entity:value) (Rasa 1 shortcut), [text]{"entity": "x", "value": "y"}
_ANNOTATION = re.compile(r"\[(?P<text>[^\]]+)\](?:\((?P<short>[^)]+)\)|(?P<json>\{[^}]*\}))")


@dataclass(frozen=True)
class EntitySpan:
    """An annotated entity inside a training example."""

    entity: str
    start: int
    end: int
    text: str
    value: str


@dataclass(frozen=True)
class Example:
    """One training (or test) sentence with its intent and entities."""

    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass
class TrainingData:
    """Everything the engines learn from."""

    examples: list[Example] = field(default_factory=list)
    synonyms: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)

    def merge(self, other: TrainingData) -> None:
        """Add another file's content (several files make one project)."""
        self.examples.extend(other.examples)
        self.synonyms.update(other.synonyms)
        for name, items in other.lookups.items():
            self.lookups.setdefault(name, []).extend(items)
        for name, items in other.regexes.items():
            self.regexes.setdefault(name, []).extend(items)

    @property
    def intents(self) -> list[str]:
        """Intent names in order of first appearance."""
        return list(dict.fromkeys(e.intent for e in self.examples))


def parse_annotated(line: str, intent: str) -> Example:
    """Turn '- je veux être [cariste](trade)' into plain text plus entity spans."""
    out: list[str] = []
    spans: list[EntitySpan] = []
    pos = 0
    length = 0
    for match in _ANNOTATION.finditer(line):
        before = line[pos : match.start()]
        out.append(before)
        length += len(before)
        text = match.group("text")
        if match.group("json"):
            meta: dict[str, Any] = json.loads(match.group("json"))
            entity = str(meta["entity"])
            value = str(meta.get("value", text))
        else:
            short = match.group("short")
            entity, _, value = short.partition(":")
            value = value or text
        spans.append(EntitySpan(entity, length, length + len(text), text, value))
        out.append(text)
        length += len(text)
        pos = match.end()
    out.append(line[pos:])
    return Example("".join(out), intent, tuple(spans))


def _items(block: Any) -> list[str]:
    """The '- ...' lines of an ``examples: |`` block."""
    if isinstance(block, list):
        return [str(x).strip() for x in block if str(x).strip()]
    lines = []
    for raw in str(block or "").splitlines():
        raw = raw.strip()
        if raw.startswith("- "):
            lines.append(raw[2:].strip())
        elif raw == "-":
            continue
    return [x for x in lines if x]


def load_yaml_text(text: str) -> TrainingData:
    """Parse one Rasa YAML document."""
    doc = yaml.safe_load(text) or {}
    data = TrainingData()
    for item in doc.get("nlu") or []:
        if not isinstance(item, dict):
            continue
        examples = _items(item.get("examples"))
        if "intent" in item:
            intent = str(item["intent"])
            data.examples.extend(parse_annotated(line, intent) for line in examples)
        elif "synonym" in item:
            for line in examples:
                data.synonyms[line.lower()] = str(item["synonym"])
        elif "lookup" in item:
            data.lookups.setdefault(str(item["lookup"]), []).extend(examples)
        elif "regex" in item:
            data.regexes.setdefault(str(item["regex"]), []).extend(examples)
    # Rasa also turns annotated values that differ from the text into synonyms.
    for example in data.examples:
        for span in example.entities:
            if span.value != span.text:
                data.synonyms.setdefault(span.text.lower(), span.value)
    return data


def training_files(directory: Path) -> list[Path]:
    """The YAML files of a Rasa data directory, in a stable order."""
    return sorted(p for p in directory.glob("*.yml") if p.is_file())


def load_directory(directory: Path) -> TrainingData:
    """Read every YAML file of a Rasa ``data/`` directory into one TrainingData."""
    data = TrainingData()
    for path in training_files(directory):
        data.merge(load_yaml_text(path.read_text(encoding="utf-8")))
    return data


def load_file(path: Path) -> TrainingData:
    """Read one Rasa YAML file (e.g. the held-out test set)."""
    return load_yaml_text(path.read_text(encoding="utf-8"))


def _annotated(example: Example) -> str:
    """The example line with its entities written back in Rasa's annotation syntax."""
    out: list[str] = []
    pos = 0
    for span in sorted(example.entities, key=lambda s: s.start):
        out.append(example.text[pos : span.start])
        if span.value == span.text:
            out.append(f"[{span.text}]({span.entity})")
        else:
            meta = json.dumps({"entity": span.entity, "value": span.value}, ensure_ascii=False)
            out.append(f"[{span.text}]{meta}")
        pos = span.end
    out.append(example.text[pos:])
    return "".join(out)


def to_yaml(data: TrainingData) -> str:
    """Write training data as Rasa 3.1 YAML (used to train Rasa on cross-validation folds)."""
    items: list[dict[str, Any]] = []
    by_intent: dict[str, list[str]] = {}
    for example in data.examples:
        by_intent.setdefault(example.intent, []).append(_annotated(example))
    for intent, lines in by_intent.items():
        items.append({"intent": intent, "examples": "".join(f"- {x}\n" for x in lines)})
    by_value: dict[str, list[str]] = {}
    for text, value in data.synonyms.items():
        by_value.setdefault(value, []).append(text)
    for value, texts in by_value.items():
        items.append({"synonym": value, "examples": "".join(f"- {x}\n" for x in texts)})
    for name, entries in data.lookups.items():
        items.append({"lookup": name, "examples": "".join(f"- {x}\n" for x in entries)})
    for name, entries in data.regexes.items():
        items.append({"regex": name, "examples": "".join(f"- {x}\n" for x in entries)})

    class _Dumper(yaml.SafeDumper):
        pass

    def _block(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
        style = "|" if "\n" in value else None
        return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)

    _Dumper.add_representer(str, _block)
    body = yaml.dump({"nlu": items}, Dumper=_Dumper, allow_unicode=True, sort_keys=False)
    return 'version: "3.1"\n' + body
