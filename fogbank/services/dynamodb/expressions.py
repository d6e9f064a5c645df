"""DynamoDB expression syntax: one tokenizer and one recursive-descent parser for condition,
filter, key condition, projection and update expressions, producing an immutable AST.

Parsing depends only on the expression text, so parsed expressions are cached (LRU) and shared by
every request that repeats them; placeholders (`#n`, `:v`) are resolved at evaluation time.
Syntax: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.OperatorsAndFunctions.html
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from fogbank.services.dynamodb.errors import ValidationException
from fogbank.services.dynamodb.reserved import is_reserved

# -- AST ----------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class Path:
    """A document path: names (`a`, or a `#n` placeholder) and list indexes (ints)."""

    elements: tuple[str | int, ...]


@dataclass(slots=True, frozen=True)
class ValueRef:
    name: str  # ":v"


@dataclass(slots=True, frozen=True)
class Call:
    name: str
    args: tuple[Operand, ...]


@dataclass(slots=True, frozen=True)
class Arithmetic:
    op: str  # "+" or "-"
    left: Operand
    right: Operand


@dataclass(slots=True, frozen=True)
class Compare:
    op: str  # = <> < <= > >=
    left: Operand
    right: Operand


@dataclass(slots=True, frozen=True)
class Between:
    operand: Operand
    low: Operand
    high: Operand


@dataclass(slots=True, frozen=True)
class In:
    operand: Operand
    choices: tuple[Operand, ...]


@dataclass(slots=True, frozen=True)
class And:
    left: Condition
    right: Condition


@dataclass(slots=True, frozen=True)
class Or:
    left: Condition
    right: Condition


@dataclass(slots=True, frozen=True)
class Not:
    inner: Condition


Operand = Path | ValueRef | Call | Arithmetic
Condition = Compare | Between | In | And | Or | Not | Call


@dataclass(slots=True, frozen=True)
class Action:
    """One update action: SET path = value, REMOVE path, ADD path value, DELETE path value."""

    kind: str
    path: Path
    value: Operand | None


@dataclass(slots=True, frozen=True)
class Parsed:
    """A parsed expression with the placeholders it uses (for unused/undefined checks)."""

    root: object
    names: frozenset[str]
    values: frozenset[str]


CONDITION_FUNCTIONS = {
    "attribute_exists": 1,
    "attribute_not_exists": 1,
    "attribute_type": 2,
    "begins_with": 2,
    "contains": 2,
}
OPERAND_FUNCTIONS = {"size": 1}
UPDATE_FUNCTIONS = {"if_not_exists": 2, "list_append": 2}
_ALL_FUNCTIONS = {**CONDITION_FUNCTIONS, **OPERAND_FUNCTIONS, **UPDATE_FUNCTIONS}
_COMPARATORS = frozenset({"=", "<>", "<", "<=", ">", ">="})
_SECTIONS = ("SET", "REMOVE", "ADD", "DELETE")
MAX_IN_OPERANDS = 100


class ExpressionError(Exception):
    """A problem in an expression; the caller prefixes "Invalid <Kind>Expression: "."""


# -- tokens -------------------------------------------------------------------------------------

_TOKEN = re.compile(
    r"\s*(?:(?P<name>[A-Za-z_][A-Za-z0-9_]*)|(?P<attr>#[A-Za-z0-9_]+)|(?P<value>:[A-Za-z0-9_]+)"
    r"|(?P<number>[0-9]+)|(?P<op><>|<=|>=|[=<>(),.\[\]+\-])|(?P<other>\S))"
)


@dataclass(slots=True)
class Token:
    kind: str  # name, attr, value, number, op, other, eof
    text: str
    start: int
    end: int


def tokenize(text: str) -> list[Token]:
    tokens = []
    position = 0
    while True:
        match = _TOKEN.match(text, position)
        if match is None:
            break
        kind = match.lastgroup or "other"
        tokens.append(Token(kind, match.group(kind), match.start(kind), match.end(kind)))
        position = match.end()
    tokens.append(Token("eof", "<EOF>", len(text), len(text)))
    return tokens


class Parser:
    def __init__(self, text: str, kind: str) -> None:
        self.text = text
        self.kind = kind
        self.tokens = tokenize(text)
        self.position = 0
        self.names: set[str] = set()
        self.values: set[str] = set()
        self.wrapped: object = None  # the last condition parsed inside parentheses

    # -- token helpers -------------------------------------------------------------------------

    @property
    def token(self) -> Token:
        return self.tokens[self.position]

    def advance(self) -> Token:
        token = self.tokens[self.position]
        self.position += 1
        return token

    def is_op(self, text: str) -> bool:
        token = self.token
        return token.kind == "op" and token.text == text

    def is_keyword(self, word: str) -> bool:
        token = self.token
        return token.kind == "name" and token.text.upper() == word

    def expect_op(self, text: str) -> None:
        if not self.is_op(text):
            raise self.syntax_error()
        self.position += 1

    def syntax_error(self) -> ExpressionError:
        index = self.position
        token = self.tokens[index]
        start = self.tokens[index - 1].start if index > 0 else token.start
        following = self.tokens[index + 1] if index + 1 < len(self.tokens) else token
        end = following.end if token.kind != "eof" else len(self.text)
        return ExpressionError(f'Syntax error; token: "{token.text}", near: "{self.text[start:end]}"')

    def finish(self) -> None:
        if self.token.kind != "eof":
            raise self.syntax_error()

    # -- operands ------------------------------------------------------------------------------

    def path(self) -> Path:
        elements: list[str | int] = [self.path_name()]
        while True:
            if self.is_op("."):
                self.position += 1
                elements.append(self.path_name())
            elif self.is_op("["):
                self.position += 1
                if self.token.kind != "number":
                    raise self.syntax_error()
                elements.append(int(self.advance().text))
                self.expect_op("]")
            else:
                return Path(tuple(elements))

    def path_name(self) -> str:
        token = self.token
        if token.kind == "attr":
            self.names.add(token.text)
        elif token.kind == "name":
            if is_reserved(token.text):
                raise ExpressionError(f"Attribute name is a reserved keyword; reserved keyword: {token.text}")
        else:
            raise self.syntax_error()
        self.position += 1
        return token.text

    def operand(self) -> Operand:
        token = self.token
        if token.kind == "value":
            self.position += 1
            self.values.add(token.text)
            return ValueRef(token.text)
        if token.kind == "name" and self.tokens[self.position + 1].text == "(":
            return self.call()
        if token.kind in ("name", "attr"):
            return self.path()
        raise self.syntax_error()

    def call(self) -> Call:
        name = self.advance().text
        arity = _ALL_FUNCTIONS.get(name)
        if arity is None:
            raise ExpressionError(f"Invalid function name; function: {name}")
        self.expect_op("(")
        args = [self.operand()]
        while self.is_op(","):
            self.position += 1
            args.append(self.operand())
        self.expect_op(")")
        if len(args) != arity:
            raise ExpressionError(
                "Incorrect number of operands for operator or function; "
                f"operator or function: {name}, number of operands: {len(args)}"
            )
        if not isinstance(args[0], Path) and name not in ("list_append",):
            raise ExpressionError(
                f"Operator or function requires a document path; operator or function: {name}"
            )
        return Call(name, tuple(args))

    # -- conditions ----------------------------------------------------------------------------

    def condition(self) -> Condition:
        left = self.conjunction()
        while self.is_keyword("OR"):
            self.position += 1
            left = Or(left, self.conjunction())
        return left

    def conjunction(self) -> Condition:
        left = self.negation()
        while self.is_keyword("AND"):
            self.position += 1
            left = And(left, self.negation())
        return left

    def negation(self) -> Condition:
        if self.is_keyword("NOT"):
            self.position += 1
            return Not(self.negation())
        return self.primary()

    def primary(self) -> Condition:
        if self.is_op("("):
            self.position += 1
            inner = self.condition()
            self.expect_op(")")
            if inner is self.wrapped:  # `((a = :v))`: AWS refuses the second pair
                raise ExpressionError("The expression has redundant parentheses;")
            self.wrapped = inner
            return inner
        left = self.operand()
        if isinstance(left, Call) and left.name in CONDITION_FUNCTIONS and not self.comparator_follows():
            return left
        self.check_operand_use(left)
        return self.comparison(left)

    def comparator_follows(self) -> bool:
        token = self.token
        return (
            (token.kind == "op" and token.text in _COMPARATORS)
            or self.is_keyword("BETWEEN")
            or self.is_keyword("IN")
        )

    def check_operand_use(self, operand: Operand) -> None:
        if isinstance(operand, Call) and operand.name in CONDITION_FUNCTIONS:
            raise ExpressionError(
                f"The function is not allowed to be used this way in an expression; function: {operand.name}"
            )
        if isinstance(operand, Call) and operand.name in UPDATE_FUNCTIONS:
            raise ExpressionError(
                f"The function is not allowed in a condition expression; function: {operand.name}"
            )

    def comparison(self, left: Operand) -> Condition:
        token = self.token
        if token.kind == "op" and token.text in _COMPARATORS:
            self.position += 1
            right = self.operand()
            self.check_operand_use(right)
            return Compare(token.text, left, right)
        if self.is_keyword("BETWEEN"):
            self.position += 1
            low = self.operand()
            if not self.is_keyword("AND"):
                raise self.syntax_error()
            self.position += 1
            high = self.operand()
            self.check_operand_use(low)
            self.check_operand_use(high)
            return Between(left, low, high)
        if self.is_keyword("IN"):
            self.position += 1
            self.expect_op("(")
            choices = [self.operand()]
            while self.is_op(","):
                self.position += 1
                choices.append(self.operand())
            self.expect_op(")")
            if len(choices) > MAX_IN_OPERANDS:
                raise ExpressionError(
                    f"The IN operator is provided with too many operands; number of operands: {len(choices)}"
                )
            for choice in choices:
                self.check_operand_use(choice)
            return In(left, tuple(choices))
        if isinstance(left, Call) and left.name in OPERAND_FUNCTIONS:
            raise ExpressionError(
                f"The function is not allowed to be used this way in an expression; function: {left.name}"
            )
        raise self.syntax_error()

    # -- projections and updates ---------------------------------------------------------------

    def projection(self) -> tuple[Path, ...]:
        paths = [self.path()]
        while self.is_op(","):
            self.position += 1
            paths.append(self.path())
        return tuple(paths)

    def update(self) -> tuple[Action, ...]:
        actions: list[Action] = []
        seen: set[str] = set()
        while self.token.kind != "eof":
            word = self.token.text.upper() if self.token.kind == "name" else ""
            if word not in _SECTIONS:
                raise self.syntax_error()
            if word in seen:
                raise ExpressionError(f'The "{word}" section can only be used once in an update expression;')
            seen.add(word)
            self.position += 1
            actions.append(self.update_action(word))
            while self.is_op(","):
                self.position += 1
                actions.append(self.update_action(word))
        return tuple(actions)

    def update_action(self, section: str) -> Action:
        path = self.path()
        if section == "REMOVE":
            return Action(section, path, None)
        if section == "SET":
            self.expect_op("=")
            return Action(section, path, self.set_value())
        if self.token.kind != "value":
            raise self.syntax_error()
        return Action(section, path, self.operand())

    def set_value(self) -> Operand:
        left = self.update_operand()
        if self.is_op("+") or self.is_op("-"):
            op = self.advance().text
            return Arithmetic(op, left, self.update_operand())
        return left

    def update_operand(self) -> Operand:
        operand = self.operand()
        if isinstance(operand, Call) and operand.name not in UPDATE_FUNCTIONS:
            raise ExpressionError(
                f"The function is not allowed in an update expression; function: {operand.name}"
            )
        if isinstance(operand, Call):
            for arg in operand.args:
                if isinstance(arg, Call) and arg.name not in UPDATE_FUNCTIONS:
                    raise ExpressionError(
                        f"The function is not allowed in an update expression; function: {arg.name}"
                    )
        return operand


def _parse(text: str, kind: str, rule: str) -> Parsed:
    if not text.strip():
        raise ExpressionError("The expression can not be empty;")
    parser = Parser(text, kind)
    root = getattr(parser, rule)()
    parser.finish()
    return Parsed(root, frozenset(parser.names), frozenset(parser.values))


@functools.lru_cache(maxsize=4096)
def _cached(text: str, kind: str, rule: str) -> Parsed | str:
    try:
        return _parse(text, kind, rule)
    except ExpressionError as problem:
        return str(problem)  # errors are cached too: a client retrying a bad expression


def parse(text: str, kind: str) -> Parsed:
    """Parse `text` as the expression parameter `kind` (e.g. "ConditionExpression")."""
    rule = _RULES[kind]
    found = _cached(text, kind, rule)
    if isinstance(found, str):
        raise ValidationException(f"Invalid {kind}: {found}")
    return found


_RULES = {
    "ConditionExpression": "condition",
    "FilterExpression": "condition",
    "KeyConditionExpression": "condition",
    "ProjectionExpression": "projection",
    "UpdateExpression": "update",
}
