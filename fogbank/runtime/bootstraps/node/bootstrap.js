// fogbank's Node.js runtime interface client: runs inside the execution environment's process and
// speaks the Lambda Runtime API at AWS_LAMBDA_RUNTIME_API as AWS's Node.js runtime does: load the
// handler (CommonJS or ES module), then loop next → handler (async or callback style) → response
// or error. console.* lines carry the timestamp, request id and level as in AWS's log format.
"use strict";
const http = require("http");
const path = require("path");
const fs = require("fs");
const util = require("util");
const { pathToFileURL } = require("url");
const { Writable } = require("stream");

// Response streaming (https://docs.aws.amazon.com/lambda/latest/dg/configuration-response-streaming.html):
// `awslambda.streamifyResponse(handler)` marks a handler that writes to a response stream.
const STREAMING = Symbol.for("aws.lambda.runtime.handler.streaming");
globalThis.awslambda = {
  streamifyResponse: (handler) => {
    handler[STREAMING] = "response";
    return handler;
  },
  HttpResponseStream: {
    from: (stream, prelude) => {
      stream.setContentType("application/vnd.awslambda.http-integration-response");
      stream.write(JSON.stringify(prelude));
      stream.write(Buffer.alloc(8));
      return stream;
    },
  },
};

const [host, port] = process.env.AWS_LAMBDA_RUNTIME_API.split(":");
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const API = "/2018-06-01/runtime";
let currentRequestId = "";

function request(method, route, body, headers) {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method, path: API + route, agent, headers: headers || {} }, (res) => {
      const chunks = [];
      res.on("data", (chunk) => chunks.push(chunk));
      res.on("end", () => resolve({ headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    if (body !== undefined) req.setHeader("Content-Length", Buffer.byteLength(body));
    req.end(body);
  });
}

// Advanced logging controls (https://docs.aws.amazon.com/lambda/latest/dg/nodejs-logging.html):
// with AWS_LAMBDA_LOG_FORMAT=JSON each console line is one JSON object, and levels more detailed
// than AWS_LAMBDA_LOG_LEVEL are dropped.
const LEVELS = { TRACE: 0, DEBUG: 1, INFO: 2, WARN: 3, ERROR: 4, FATAL: 5 };
const JSON_FORMAT = process.env.AWS_LAMBDA_LOG_FORMAT === "JSON";
const MIN_LEVEL = LEVELS[(process.env.AWS_LAMBDA_LOG_LEVEL || "").toUpperCase()] ?? LEVELS.TRACE;

function jsonLine(level, args) {
  const entry = { timestamp: new Date().toISOString(), level, requestId: currentRequestId || undefined };
  const error = args.length === 1 && args[0] instanceof Error ? args[0] : undefined;
  if (error) {
    Object.assign(entry, { message: error.message, errorType: error.name, errorMessage: error.message,
      stackTrace: String(error.stack || "").split("\n") });
  } else {
    entry.message = args.length === 1 && typeof args[0] === "object" && args[0] !== null ? args[0] : util.format(...args);
  }
  return JSON.stringify(entry) + "\n";
}

function patchConsole() {
  const write = (level) => (...args) => {
    if (JSON_FORMAT) {
      if (LEVELS[level] >= MIN_LEVEL) fs.writeSync(1, jsonLine(level, args));
      return;
    }
    const line = `${new Date().toISOString()}\t${currentRequestId || "undefined"}\t${level}\t${util.format(...args)}\n`;
    fs.writeSync(1, line);
  };
  console.log = write("INFO");
  console.info = write("INFO");
  console.warn = write("WARN");
  console.error = write("ERROR");
  console.debug = write("DEBUG");
  console.trace = write("TRACE");
}

function errorDocument(error) {
  if (error instanceof Error) {
    return { errorType: error.name, errorMessage: error.message, trace: (error.stack || "").split("\n") };
  }
  return { errorType: typeof error === "string" ? "string" : typeof error, errorMessage: String(error), trace: [] };
}

async function postError(route, document, prefix) {
  const shown = JSON.stringify({ ...document, stack: document.trace, trace: undefined });
  if (JSON_FORMAT) {  // AWS's runtime logs it through console.error, so as one JSON line too
    fs.writeSync(1, jsonLine("ERROR", [prefix, shown]));
  } else {
    fs.writeSync(1, `${new Date().toISOString()}\t${currentRequestId || "undefined"}\tERROR\t${prefix} \t${shown}\n`);
  }
  await request("POST", route, JSON.stringify(document), { "Lambda-Runtime-Function-Error-Type": document.errorType });
}

function findModuleFile(root, name) {
  for (const extension of [".js", ".mjs", ".cjs"]) {
    const file = path.resolve(root, name + extension);
    if (fs.existsSync(file)) return file;
  }
  return null;
}

async function loadHandler() {
  const handlerString = process.env._HANDLER || "";
  const match = handlerString.match(/^([^.]*)\.(.*)$/);
  if (!match) {
    throw { errorType: "Runtime.MalformedHandlerName", errorMessage: `Bad handler ${handlerString}`, trace: [] };
  }
  const [, moduleName, handlerPath] = match;
  const root = process.env.LAMBDA_TASK_ROOT;
  const file = findModuleFile(root, moduleName);
  let loaded;
  try {
    if (!file) throw new Error(`Cannot find module '${moduleName}'\nRequire stack:\n- ${__filename}`);
    loaded = await import(pathToFileURL(file).href);
  } catch (error) {
    const document = errorDocument(error);
    const type = error instanceof SyntaxError ? "Runtime.UserCodeSyntaxError" : "Runtime.ImportModuleError";
    throw { errorType: type, errorMessage: `${document.errorType}: ${document.errorMessage}`, trace: document.trace };
  }
  let handler = handlerPath.split(".").reduce((found, key) => (found == null ? undefined : found[key]), loaded);
  if (handler === undefined && loaded.default) {
    handler = handlerPath.split(".").reduce((found, key) => (found == null ? undefined : found[key]), loaded.default);
  }
  if (typeof handler !== "function") {
    throw { errorType: "Runtime.HandlerNotFound", errorMessage: `${handlerString} is undefined or not exported`, trace: [] };
  }
  return handler;
}

function makeContext(headers) {
  const deadline = Number(headers["lambda-runtime-deadline-ms"] || 0);
  const context = {
    callbackWaitsForEmptyEventLoop: true,
    functionName: process.env.AWS_LAMBDA_FUNCTION_NAME,
    functionVersion: process.env.AWS_LAMBDA_FUNCTION_VERSION,
    invokedFunctionArn: headers["lambda-runtime-invoked-function-arn"],
    memoryLimitInMB: process.env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE,
    awsRequestId: headers["lambda-runtime-aws-request-id"],
    logGroupName: process.env.AWS_LAMBDA_LOG_GROUP_NAME,
    logStreamName: process.env.AWS_LAMBDA_LOG_STREAM_NAME,
    getRemainingTimeInMillis: () => Math.max(deadline - Date.now(), 0),
  };
  if (headers["lambda-runtime-client-context"]) context.clientContext = JSON.parse(headers["lambda-runtime-client-context"]);
  if (headers["lambda-runtime-cognito-identity"]) context.identity = JSON.parse(headers["lambda-runtime-cognito-identity"]);
  return context;
}

function runHandler(handler, event, context) {
  return new Promise((resolve, reject) => {
    const callback = (error, result) => (error ? reject(error) : resolve(result));
    context.done = callback;
    context.succeed = (result) => resolve(result);
    context.fail = (error) => reject(error);
    try {
      const returned = handler(event, context, callback);
      if (returned && typeof returned.then === "function") returned.then(resolve, reject);
      else if (handler.length < 3) resolve(returned);
    } catch (error) {
      reject(error);
    }
  });
}

// A streaming handler writes to a chunked POST of the response; an error ends it with trailers.
function runStreamingHandler(handler, event, context, requestId) {
  return new Promise((resolve) => {
    let contentType = "application/octet-stream";
    let request = null;
    const open = () => {
      if (request) return request;
      request = http.request({
        host, port, method: "POST", agent, path: `${API}/invocation/${requestId}/response`,
        headers: { "Lambda-Runtime-Function-Response-Mode": "streaming", "Transfer-Encoding": "chunked",
                   "Content-Type": contentType, Trailer: "Lambda-Runtime-Function-Error-Type, Lambda-Runtime-Function-Error-Body" },
      }, (res) => { res.resume(); res.on("end", resolve); });
      request.on("error", resolve);
      return request;
    };
    const stream = new Writable({
      write(chunk, encoding, callback) { open().write(chunk, callback); },
      final(callback) { open().end(); callback(); },
    });
    stream.setContentType = (type) => { contentType = type; };
    const fail = (error) => {
      const document = errorDocument(error);
      const target = open();
      target.addTrailers({
        "Lambda-Runtime-Function-Error-Type": document.errorType,
        "Lambda-Runtime-Function-Error-Body": Buffer.from(JSON.stringify(document)).toString("base64"),
      });
      target.end();
    };
    try {
      const returned = handler(event, stream, context);
      if (returned && typeof returned.then === "function") returned.then(() => { if (!stream.writableEnded) stream.end(); }, fail);
    } catch (error) {
      fail(error);
    }
  });
}

async function main() {
  patchConsole();
  let handler;
  try {
    handler = await loadHandler();
  } catch (document) {
    await postError("/init/error", document, "Init Error");
    process.exit(1);
  }
  for (;;) {
    const next = await request("GET", "/invocation/next");
    const requestId = next.headers["lambda-runtime-aws-request-id"];
    currentRequestId = requestId;
    if (next.headers["lambda-runtime-trace-id"]) process.env._X_AMZN_TRACE_ID = next.headers["lambda-runtime-trace-id"];
    if (handler[STREAMING] === "response") {
      const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : undefined;
      await runStreamingHandler(handler, event, makeContext(next.headers), requestId);
      continue;
    }
    let result;
    try {
      const event = next.body.length ? JSON.parse(next.body.toString("utf8")) : undefined;
      result = await runHandler(handler, event, makeContext(next.headers));
    } catch (error) {
      await postError(`/invocation/${requestId}/error`, errorDocument(error), "Invoke Error");
      continue;
    }
    const body = result === undefined ? "null" : JSON.stringify(result);
    await request("POST", `/invocation/${requestId}/response`, body === undefined ? "null" : body);
  }
}

main();
