"""fogbank's Python runtime interface client: runs inside the execution environment's process
(Python 3.9 or later, standard library only, no fogbank imports) and speaks the Lambda Runtime API
at AWS_LAMBDA_RUNTIME_API, as AWS's awslambdaric does: init (import the handler), then loop
next → handler → response/error. Errors are shaped as awslambdaric shapes them."""

import importlib
import json
import os
import signal
import socket
import sys
import time

API = "/2018-06-01/runtime"


class Fault(Exception):
    def __init__(self, error_type, message, trace=None):
        super().__init__(message)
        self.error_type = error_type
        self.message = message
        self.trace = trace or []


class Connection:
    """A minimal keep-alive HTTP/1.1 client: http.client would import the email package and ssl,
    tens of milliseconds of every cold start."""

    def __init__(self, address):
        host, _, port = address.partition(":")
        self.host = address
        self.socket = socket.create_connection((host, int(port or 80)))
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.reader = self.socket.makefile("rb")

    def request(self, method, path, body=None, headers=None):
        body = body or b""
        head = [f"{method} {API}{path} HTTP/1.1", f"Host: {self.host}", f"Content-Length: {len(body)}"]
        head.extend(f"{name}: {value}" for name, value in (headers or {}).items())
        self.socket.sendall(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + body)
        status = self.reader.readline()
        if not status:
            raise ConnectionError("the Runtime API closed the connection")
        found = {}
        while True:
            line = self.reader.readline()
            if line in (b"\r\n", b"\n", b""):
                break
            name, _, value = line.decode("latin-1").partition(":")
            found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length") or 0)
        return found, self.reader.read(length) if length else b""


class CognitoIdentity:
    __slots__ = ("cognito_identity_id", "cognito_identity_pool_id")

    def __init__(self, document):
        self.cognito_identity_id = document.get("cognitoIdentityId")
        self.cognito_identity_pool_id = document.get("cognitoIdentityPoolId")


class ClientContext:
    __slots__ = ("client", "custom", "env")

    def __init__(self, document):
        self.client = document.get("client")
        self.custom = document.get("custom")
        self.env = document.get("env")


class LambdaContext:
    def __init__(self, request_id, deadline_ms, invoked_arn, identity, client_context):
        self.aws_request_id = request_id
        self.invoked_function_arn = invoked_arn
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION")
        self.memory_limit_in_mb = os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE")
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME")
        self.identity = CognitoIdentity(json.loads(identity)) if identity else CognitoIdentity({})
        self.client_context = ClientContext(json.loads(client_context)) if client_context else None
        self.tenant_id = None
        self._deadline_ms = deadline_ms

    def get_remaining_time_in_millis(self):
        return max(self._deadline_ms - int(time.time() * 1000), 0)


# AWS_LAMBDA_LOG_LEVEL (ApplicationLogLevel) as Python levels, and Python's names as AWS's
# (https://docs.aws.amazon.com/lambda/latest/dg/python-logging.html#python-logging-advanced).
PYTHON_LEVELS = {"TRACE": 5, "DEBUG": 10, "INFO": 20, "WARN": 30, "ERROR": 40, "FATAL": 50}
AWS_LEVEL_NAMES = {"WARNING": "WARN", "CRITICAL": "FATAL"}


def json_format():
    """Read when used: the zygote imports this module before the function's environment is set."""
    return os.environ.get("AWS_LAMBDA_LOG_FORMAT") == "JSON"


def utc_now_text(created):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(created)) + f".{int(created % 1 * 1000):03d}Z"


class Logging:
    """AWS's log format for the root logger: `[LEVEL]\ttimestamp\trequest id\tmessage`, or one
    JSON object a record with LogFormat JSON. Set up once the function's code has imported
    `logging` (importing it here would slow every cold start of functions that never log)."""

    request_id = ""
    configured = False

    @classmethod
    def configure_if_used(cls):
        if cls.configured or "logging" not in sys.modules:
            return
        import logging

        cls.configured = True

        class RequestIdFilter(logging.Filter):
            def filter(self, record):
                record.aws_request_id = cls.request_id
                return True

        handler = logging.StreamHandler(sys.stdout)
        if json_format():
            handler.setFormatter(json_formatter(logging))
            level = PYTHON_LEVELS.get(os.environ.get("AWS_LAMBDA_LOG_LEVEL", "INFO").upper(), 20)
            handler.setLevel(level)
            logging.getLogger().setLevel(level)
        else:
            formatter = logging.Formatter(
                "[%(levelname)s]\t%(asctime)s.%(msecs)03dZ\t%(aws_request_id)s\t%(message)s",
                "%Y-%m-%dT%H:%M:%S",
            )
            formatter.converter = time.gmtime
            handler.setFormatter(formatter)
        handler.addFilter(RequestIdFilter())
        logging.getLogger().addHandler(handler)


def json_formatter(logging):
    """awslambdaric's JSON shape: timestamp, level, message, logger, requestId, the exception's
    errorType/errorMessage/stackTrace, and any `extra=` fields of the record."""
    standard = set(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {"message", "aws_request_id"}

    class JsonFormatter(logging.Formatter):
        def format(self, record):
            entry = {
                "timestamp": utc_now_text(record.created),
                "level": AWS_LEVEL_NAMES.get(record.levelname, record.levelname),
                "message": record.getMessage(),
                "logger": record.name,
                "requestId": getattr(record, "aws_request_id", ""),
            }
            if record.exc_info and record.exc_info[0] is not None:
                import traceback

                entry["errorType"] = record.exc_info[0].__name__
                entry["errorMessage"] = str(record.exc_info[1])
                entry["stackTrace"] = traceback.format_tb(record.exc_info[2])
            for key, value in vars(record).items():
                if key not in standard and key not in entry:
                    entry[key] = value
            return json.dumps(entry, default=str)

    return JsonFormatter()


def load_handler(name):
    try:
        module_name, function_name = name.rsplit(".", 1)
    except ValueError as error:
        raise Fault("Runtime.MalformedHandlerName", f"Bad handler '{name}': {error}") from None
    try:
        module = importlib.import_module(module_name.replace("/", "."))
    except ImportError as error:
        raise Fault(
            "Runtime.ImportModuleError", f"Unable to import module '{module_name}': {error}"
        ) from None
    except SyntaxError as error:
        trace = [f'  File "{error.filename}" Line {error.lineno}\n    {error.text}']
        message = f"Syntax error in module '{module_name}': {error}"
        raise Fault("Runtime.UserCodeSyntaxError", message, trace) from None
    handler = getattr(module, function_name, None)
    if handler is None:
        message = f"Handler '{function_name}' missing on module '{module_name}'"
        raise Fault("Runtime.HandlerNotFound", message)
    return handler


def error_document(error_type, message, trace, request_id):
    return {"errorMessage": message, "errorType": error_type, "requestId": request_id, "stackTrace": trace}


def exception_document(error, request_id):
    import traceback

    frames = traceback.extract_tb(error.__traceback__)[1:]  # drop this runtime's own frame
    return error_document(type(error).__name__, str(error), traceback.format_list(frames), request_id)


def log_error(document):
    if json_format():  # as awslambdaric logs an unhandled error with LogFormat JSON
        entry = {"timestamp": utc_now_text(time.time()), "log_level": "ERROR", **document}
        print(json.dumps(entry), flush=True)
        return
    lines = "\n".join(line.rstrip("\n") for line in document["stackTrace"])
    heading = f"[ERROR] {document['errorType']}: {document['errorMessage']}"
    print(f"{heading}\nTraceback (most recent call last):\n{lines}", flush=True)


def flush():
    sys.stdout.flush()
    sys.stderr.flush()


def post_error(api, path, document):
    flush()
    body = json.dumps(document).encode()
    api.request("POST", path, body, {"Lambda-Runtime-Function-Error-Type": document["errorType"]})


def invoke_once(api, handler):
    headers, payload = api.request("GET", "/invocation/next")
    request_id = headers.get("lambda-runtime-aws-request-id")
    trace_id = headers.get("lambda-runtime-trace-id")
    if trace_id:
        os.environ["_X_AMZN_TRACE_ID"] = trace_id
    else:
        os.environ.pop("_X_AMZN_TRACE_ID", None)
    Logging.request_id = request_id
    Logging.configure_if_used()
    context = LambdaContext(
        request_id,
        int(headers.get("lambda-runtime-deadline-ms") or 0),
        headers.get("lambda-runtime-invoked-function-arn"),
        headers.get("lambda-runtime-cognito-identity"),
        headers.get("lambda-runtime-client-context"),
    )
    try:
        event = json.loads(payload) if payload else None
        result = handler(event, context)
    except MemoryError:  # past the memory size: end like the OOM killer ends a Lambda sandbox
        os.kill(os.getpid(), signal.SIGKILL)
    except Exception as error:  # the function's own error: reported, the environment stays warm
        document = exception_document(error, request_id)
        log_error(document)
        post_error(api, f"/invocation/{request_id}/error", document)
        return
    try:
        body = json.dumps(result).encode()
    except (TypeError, ValueError) as error:
        message = f"Unable to marshal response: {error}"
        document = error_document("Runtime.MarshalError", message, [], request_id)
        log_error(document)
        post_error(api, f"/invocation/{request_id}/error", document)
        return
    flush()
    api.request("POST", f"/invocation/{request_id}/response", body)


def main():
    task_root = os.environ.get("LAMBDA_TASK_ROOT", os.getcwd())
    opt_paths = [path for path in os.environ.pop("FOGBANK_OPT_PATHS", "").split(os.pathsep) if path]
    sys.path[0:1] = [task_root] + opt_paths
    sys.stdout.reconfigure(line_buffering=True)
    sys.stderr.reconfigure(line_buffering=True)
    api = Connection(os.environ["AWS_LAMBDA_RUNTIME_API"])
    try:
        handler = load_handler(os.environ.get("_HANDLER", ""))
    except Fault as fault:
        document = error_document(fault.error_type, fault.message, fault.trace, "")
        log_error(document)
        post_error(api, "/init/error", document)
        sys.exit(1)
    except Exception as error:  # the module raised while being imported
        document = exception_document(error, "")
        log_error(document)
        post_error(api, "/init/error", document)
        sys.exit(1)
    Logging.configure_if_used()
    while True:
        invoke_once(api, handler)


if __name__ == "__main__":
    main()
