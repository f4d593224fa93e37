// Loaded with `node --import`: reports every @aws-sdk/* module that ESM or CJS code resolves,
// so a test can prove the SDK stays unloaded until an S3 backend is used.
import { register, Module } from 'node:module';
import { MessageChannel } from 'node:worker_threads';

globalThis.__awsLoaded = new Set();
const { port1, port2 } = new MessageChannel();
port1.on('message', (specifier) => globalThis.__awsLoaded.add(specifier));
port1.unref();

const hooks = `
let port;
export function initialize(data) { port = data.port; }
export async function resolve(specifier, context, next) {
  if (specifier.startsWith('@aws-sdk/')) port.postMessage(specifier);
  return next(specifier, context);
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, { data: { port: port2 }, transferList: [port2] });

// require() of a CommonJS build goes around the ESM hooks.
const original = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  if (typeof request === 'string' && request.startsWith('@aws-sdk/')) globalThis.__awsLoaded.add(request);
  return original.call(this, request, ...rest);
};
