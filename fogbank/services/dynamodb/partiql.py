"""PartiQL for DynamoDB: the tokenizer and parser of SELECT, INSERT, UPDATE and DELETE statements,
translated into the same condition/update ASTs the expression parameters use (literals and `?`
parameters become synthetic `:pqN` values, names `#pqN` placeholders).

https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ql-reference.html
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from fogbank.services.dynamodb import values as av
from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.expressions import (
    Action,
    And,
    Arithmetic,
    Between,
    Call,
    Compare,
    In,
    Not,
    Or,
    Path,
    ValueRef,
)

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<quoted>\"(?:[^\"]|\"\")*\")|(?P<number>-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<op><<|>>|<>|!=|<=|>=|[=<>(),.\[\]{}:?*+\-]))"
)
_FUNCTIONS = {
    "begins_with": "begins_with",
    "contains": "contains",
    "attribute_type": "attribute_type",
    "size": "size",
}


@dataclass(slots=True)
class Statement:
    kind: str  # SELECT INSERT UPDATE DELETE
    table: str
    index: str | None = None
    where: Any = None
    projection: list[Path] | None = None
    item: dict[str, Any] | None = None
    actions: list[Action] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)


def _error(detail: str) -> ValidationException:
    return ValidationException(f"Statement wasn't well formed, can't be processed: {detail}")


class Parser:
    def __init__(self, text: str, parameters: list[dict[str, Any]] | None) -> None:
        self.text = text
        self.tokens = self._tokenize(text)
        self.position = 0
        self.parameters = list(parameters or [])
        self.used_parameters = 0
        self.statement = Statement("", "")

    @staticmethod
    def _tokenize(text: str) -> list[tuple[str, str]]:
        tokens = []
        position = 0
        text = text.strip().rstrip(";")
        while position < len(text):
            match = _TOKEN.match(text, position)
            if match is None or match.end() == position:
                raise _error(f"Unexpected character {text[position:].strip()[:1]!r}")
            kind = match.lastgroup or ""
            tokens.append((kind, match.group(kind)))
            position = match.end()
            while position < len(text) and text[position].isspace():
                position += 1
        tokens.append(("eof", ""))
        return tokens

    # -- helpers -------------------------------------------------------------------------------

    def peek(self, offset: int = 0) -> tuple[str, str]:
        return self.tokens[min(self.position + offset, len(self.tokens) - 1)]

    def keyword(self, word: str) -> bool:
        kind, text = self.peek()
        if kind == "name" and text.upper() == word:
            self.position += 1
            return True
        return False

    def expect_keyword(self, word: str) -> None:
        if not self.keyword(word):
            raise _error(f"Expected {word}, found {self.peek()[1] or 'end of statement'}")

    def op(self, text: str) -> bool:
        if self.peek() == ("op", text):
            self.position += 1
            return True
        return False

    def expect_op(self, text: str) -> None:
        if not self.op(text):
            raise _error(f"Expected {text}, found {self.peek()[1] or 'end of statement'}")

    def identifier(self) -> str:
        kind, text = self.peek()
        if kind == "quoted":
            self.position += 1
            return text[1:-1].replace('""', '"')
        if kind == "name":
            self.position += 1
            return text
        raise _error(f"Expected an identifier, found {text or 'end of statement'}")

    def name_ref(self, name: str) -> str:
        key = f"#pq{len(self.statement.names)}"
        self.statement.names[key] = name
        return key

    def value_ref(self, value: dict[str, Any]) -> ValueRef:
        av.check_value(value)
        key = f":pq{len(self.statement.values)}"
        self.statement.values[key] = value
        return ValueRef(key)

    # -- statements ----------------------------------------------------------------------------

    def parse(self) -> Statement:
        word = self.peek()[1].upper()
        if word == "SELECT":
            self.select()
        elif word == "INSERT":
            self.insert()
        elif word == "UPDATE":
            self.update()
        elif word == "DELETE":
            self.delete()
        else:
            raise _error(f"Unsupported statement {self.peek()[1] or '(empty)'}")
        if self.peek()[0] != "eof":
            raise _error(f"Unexpected {self.peek()[1]}")
        if self.used_parameters != len(self.parameters):
            raise ValidationException(
                "Number of parameters in request and statement don't match."  # AWS's wording
            )
        return self.statement

    def select(self) -> None:
        self.expect_keyword("SELECT")
        statement = self.statement
        statement.kind = "SELECT"
        if not self.op("*"):
            paths = [self.path()]
            while self.op(","):
                paths.append(self.path())
            statement.projection = paths
        self.expect_keyword("FROM")
        statement.table = self.identifier()
        if self.op("."):
            statement.index = self.identifier()
        if self.keyword("WHERE"):
            statement.where = self.condition()

    def insert(self) -> None:
        self.expect_keyword("INSERT")
        self.expect_keyword("INTO")
        self.statement.kind = "INSERT"
        self.statement.table = self.identifier()
        self.expect_keyword("VALUE")
        value = self.literal_or_parameter()
        if "M" not in value:
            raise _error("INSERT requires a tuple value {...}")
        self.statement.item = value["M"]

    def update(self) -> None:
        self.expect_keyword("UPDATE")
        self.statement.kind = "UPDATE"
        self.statement.table = self.identifier()
        while True:
            if self.keyword("SET"):
                self.set_action()
                while self.op(","):
                    self.set_action()
            elif self.keyword("REMOVE"):
                self.statement.actions.append(Action("REMOVE", self.path(), None))
                while self.op(","):
                    self.statement.actions.append(Action("REMOVE", self.path(), None))
            else:
                break
        if not self.statement.actions:
            raise _error("UPDATE requires SET or REMOVE")
        self.expect_keyword("WHERE")
        self.statement.where = self.condition()

    def set_action(self) -> None:
        path = self.path()
        self.expect_op("=")
        value: Any = self.operand()
        if self.peek() in (("op", "+"), ("op", "-")):
            sign = self.peek()[1]
            self.position += 1
            value = Arithmetic(sign, value, self.operand())
        self.statement.actions.append(Action("SET", path, value))

    def delete(self) -> None:
        self.expect_keyword("DELETE")
        self.expect_keyword("FROM")
        self.statement.kind = "DELETE"
        self.statement.table = self.identifier()
        self.expect_keyword("WHERE")
        self.statement.where = self.condition()

    # -- expressions ---------------------------------------------------------------------------

    def path(self) -> Path:
        elements: list[str | int] = [self.name_ref(self.identifier())]
        while True:
            if self.peek() == ("op", ".") and self.peek(1)[0] in ("name", "quoted"):
                self.position += 1
                elements.append(self.name_ref(self.identifier()))
            elif self.peek() == ("op", "[") and self.peek(1)[0] == "number":
                self.position += 1
                elements.append(int(self.peek()[1]))
                self.position += 1
                self.expect_op("]")
            else:
                return Path(tuple(elements))

    def operand(self) -> Any:
        kind, text = self.peek()
        if kind == "name" and self.peek(1) == ("op", "(") and text.lower() in _FUNCTIONS:
            self.position += 2
            args = [self.operand()]
            while self.op(","):
                args.append(self.operand())
            self.expect_op(")")
            return Call(_FUNCTIONS[text.lower()], tuple(args))
        if kind in ("quoted",) or (
            kind == "name" and text.upper() not in ("TRUE", "FALSE", "NULL", "MISSING")
        ):
            return self.path()
        return self.value_ref(self.literal_or_parameter())

    def literal_or_parameter(self) -> dict[str, Any]:
        kind, text = self.peek()
        self.position += 1
        if (kind, text) == ("op", "?"):
            if self.used_parameters >= len(self.parameters):
                raise ValidationException("Number of parameters in request and statement don't match.")
            self.used_parameters += 1
            return self.parameters[self.used_parameters - 1]
        if kind == "string":
            return {"S": text[1:-1].replace("''", "'")}
        if kind == "number":
            return {"N": text}
        if kind == "name" and text.upper() in ("TRUE", "FALSE"):
            return {"BOOL": text.upper() == "TRUE"}
        if kind == "name" and text.upper() == "NULL":
            return {"NULL": True}
        if (kind, text) == ("op", "["):
            return {"L": self.sequence("]")}
        if (kind, text) == ("op", "<<"):
            members = self.sequence(">>")
            kinds = {av.kind_of(m) for m in members}
            if len(kinds) != 1 or next(iter(kinds)) not in ("S", "N", "B"):
                raise _error("A set must hold strings, numbers or binaries of one type")
            kind_name = next(iter(kinds))
            return {kind_name + "S": [m[kind_name] for m in members]}
        if (kind, text) == ("op", "{"):
            return {"M": self.tuple_literal()}
        raise _error(f"Unexpected {text or 'end of statement'}")

    def sequence(self, closing: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        if self.op(closing):
            return found
        found.append(self.literal_or_parameter())
        while self.op(","):
            found.append(self.literal_or_parameter())
        self.expect_op(closing)
        return found

    def tuple_literal(self) -> dict[str, Any]:
        found: dict[str, Any] = {}
        if self.op("}"):
            return found
        while True:
            kind, text = self.peek()
            if kind != "string":
                raise _error("Tuple keys must be string literals")
            self.position += 1
            self.expect_op(":")
            found[text[1:-1].replace("''", "'")] = self.literal_or_parameter()
            if not self.op(","):
                break
        self.expect_op("}")
        return found

    def condition(self) -> Any:
        left = self.conjunction()
        while self.keyword("OR"):
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Any:
        left = self.negation()
        while self.keyword("AND"):
            left = And(left, self.negation())
        return left

    def negation(self) -> Any:
        if self.keyword("NOT"):
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Any:
        if self.op("("):
            inner = self.condition()
            self.expect_op(")")
            return inner
        left = self.operand()
        if isinstance(left, Call) and left.name != "size" and self.peek()[1] not in ("=", "<>", "!="):
            return left
        kind, text = self.peek()
        if kind == "op" and text in ("=", "<>", "!=", "<", "<=", ">", ">="):
            self.position += 1
            return Compare("<>" if text == "!=" else text, left, self.operand())
        if self.keyword("BETWEEN"):
            low = self.operand()
            self.expect_keyword("AND")
            return Between(left, low, self.operand())
        if self.keyword("IN"):
            closing = "]" if self.op("[") else (")" if self.op("(") else "")
            if not closing:
                raise _error("IN requires a list")
            choices = [self.operand()]
            while self.op(","):
                choices.append(self.operand())
            self.expect_op(closing)
            return In(left, tuple(choices))
        if self.keyword("IS"):
            negated = self.keyword("NOT")
            if self.keyword("MISSING"):
                test: Any = Call("attribute_not_exists", (left,))
            elif self.keyword("NULL"):
                test = Call("attribute_type", (left, self.value_ref({"S": "NULL"})))
            else:
                raise _error("IS requires MISSING or NULL")
            return Not(test) if negated else test
        raise _error(f"Unexpected {text or 'end of statement'}")


def parse(text: str, parameters: list[dict[str, Any]] | None = None) -> Statement:
    return Parser(text, parameters).parse()
