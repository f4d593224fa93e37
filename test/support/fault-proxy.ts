import { Agent, createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A small HTTP proxy on 127.0.0.1 in front of an S3 endpoint (path-style), whose behaviour a test
 * sets per request: forward, answer an S3 error, reset the connection mid-request or mid-response,
 * or delay. The Host header is forwarded unchanged, so SigV4 signatures made for the proxy's
 * address still verify upstream (radosgw and MinIO check the Host they receive).
 */

/** The S3 operation a path-style request is, as far as a test needs to tell them apart. */
export type S3Operation =
  | 'ListBuckets'
  | 'HeadBucket'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'ListObjectsV2'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts'
  | 'Other';

/** What a rule sees of a request. */
export interface ProxiedRequest {
  /** 1-based, in arrival order. */
  seq: number;
  method: string;
  /** Raw (still percent-encoded) path, e.g. `/bucket/dir/key.wav`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  op: S3Operation;
  bucket: string | undefined;
  /** Decoded object key, for object operations. */
  key: string | undefined;
}

/** What the proxy does with one request. */
export type FaultAction =
  | { kind: 'forward' }
  /** Answers with an S3 error document, after reading the request body, like a real server. */
  | { kind: 'error'; status: number; code: string; message?: string }
  /** Resets the client's connection once `afterBytes` of the request body arrived (0: at once). */
  | { kind: 'reset-request'; afterBytes?: number }
  /**
   * Forwards the request and the response headers (Content-Length included), then `afterBytes`
   * of the body (or half of it), then closes the connection: a response cut short.
   */
  | { kind: 'cut-response'; afterBytes: number | 'half'; reset?: boolean }
  /** Waits, then does `then` (default: forward). */
  | { kind: 'delay'; ms: number; then?: FaultAction };

/** Decides per request; `undefined` means forward. */
export type FaultRule = (request: ProxiedRequest) => FaultAction | undefined;

/** One request as the proxy saw it. */
export interface ProxyLogEntry {
  seq: number;
  op: S3Operation;
  method: string;
  path: string;
  query: string;
  key: string | undefined;
  action: FaultAction['kind'];
  /** The status sent to the client, when one was sent. */
  status?: number;
}

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL_S3`. */
  endpoint: string;
  port: number;
  /** Replaces the rule; `undefined` forwards everything. */
  setRule(rule: FaultRule | undefined): void;
  /** Every request since the start or the last `clearLog()`. */
  readonly log: readonly ProxyLogEntry[];
  clearLog(): void;
  /** Requests in the log for an operation (and a key). */
  seen(op: S3Operation, key?: string): ProxyLogEntry[];
  close(): Promise<void>;
}

/** S3-style error answers the SDK retries (503 SlowDown) or treats as transient (500). */
export const SLOW_DOWN: FaultAction = { kind: 'error', status: 503, code: 'SlowDown', message: 'Please reduce your request rate.' };
export const INTERNAL_ERROR: FaultAction = { kind: 'error', status: 500, code: 'InternalError', message: 'We encountered an internal error. Please try again.' };

/**
 * A rule that applies `action` to the first `times` requests `match` accepts (then forwards them),
 * and forwards everything else. `times: Infinity` applies it to every match.
 */
export function firstMatching(times: number, match: (request: ProxiedRequest) => boolean, action: FaultAction): FaultRule {
  let left = times;
  return (request) => {
    if (left <= 0 || !match(request)) return undefined;
    left--;
    return action;
  };
}

const OPERATIONS = new Set<S3Operation>([
  'ListBuckets', 'HeadBucket', 'CreateBucket', 'DeleteBucket', 'ListObjectsV2', 'ListMultipartUploads', 'DeleteObjects',
  'PutObject', 'GetObject', 'HeadObject', 'DeleteObject', 'CreateMultipartUpload', 'UploadPart', 'CompleteMultipartUpload',
  'AbortMultipartUpload', 'ListParts',
]);

/** Classifies a path-style S3 request. */
export function s3Operation(method: string, path: string, query: URLSearchParams): { op: S3Operation; bucket?: string; key?: string } {
  const [bucketPart, ...rest] = path.replace(/^\//, '').split('/');
  const bucket = bucketPart ? decodeURIComponent(bucketPart) : undefined;
  const key = rest.length > 0 && rest.join('/') !== '' ? decodeURIComponent(rest.join('/')) : undefined;
  const m = method.toUpperCase();
  if (bucket === undefined) return { op: m === 'GET' ? 'ListBuckets' : 'Other' };
  // The SDK names many operations itself in an `x-id` query parameter.
  const named = query.get('x-id');
  if (named !== null && OPERATIONS.has(named as S3Operation)) return { op: named as S3Operation, bucket, ...(key === undefined ? {} : { key }) };
  const q = new URLSearchParams([...query].filter(([name]) => name !== 'x-id'));
  if (key === undefined) {
    const op: S3Operation =
      m === 'HEAD' ? 'HeadBucket'
      : m === 'PUT' && q.size === 0 ? 'CreateBucket'
      : m === 'DELETE' && q.size === 0 ? 'DeleteBucket'
      : m === 'GET' && q.has('uploads') ? 'ListMultipartUploads'
      : m === 'GET' && q.get('list-type') === '2' ? 'ListObjectsV2'
      : m === 'POST' && q.has('delete') ? 'DeleteObjects'
      : 'Other';
    return { op, bucket };
  }
  const uploadId = q.has('uploadId');
  const op: S3Operation =
    m === 'PUT' && uploadId && q.has('partNumber') ? 'UploadPart'
    : m === 'PUT' && q.size === 0 ? 'PutObject'
    : m === 'POST' && q.has('uploads') ? 'CreateMultipartUpload'
    : m === 'POST' && uploadId ? 'CompleteMultipartUpload'
    : m === 'DELETE' && uploadId ? 'AbortMultipartUpload'
    : m === 'GET' && uploadId ? 'ListParts'
    : m === 'GET' && !q.has('acl') && !q.has('tagging') ? 'GetObject'
    : m === 'HEAD' ? 'HeadObject'
    : m === 'DELETE' && q.size === 0 ? 'DeleteObject'
    : 'Other';
  return { op, bucket, key };
}

// Hop-by-hop headers, and `expect`: this proxy already answered the 100-continue itself.
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'expect']);

function forwardableHeaders(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).filter(([name]) => !HOP_BY_HOP.has(name.toLowerCase())));
}

function errorXml(code: string, message: string, resource: string, seq: number): string {
  const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return (
    '<?xml version="1.0" encoding="UTF-8"?>\n' +
    `<Error><Code>${esc(code)}</Code><Message>${esc(message)}</Message>` +
    `<Resource>${esc(resource)}</Resource><RequestId>fault-proxy-${seq}</RequestId></Error>`
  );
}

function hardClose(socket: Socket, reset: boolean): void {
  if (reset && typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
  else socket.destroy();
}

/** Starts the proxy on a random port of 127.0.0.1, in front of `upstream` (an http:// origin). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const target = new URL(upstream);
  if (target.protocol !== 'http:') throw new Error(`The fault proxy forwards to http:// endpoints only, not ${upstream}`);
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  let rule: FaultRule | undefined;
  let seq = 0;
  let log: ProxyLogEntry[] = [];

  function forward(req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, cut?: { afterBytes: number | 'half'; reset: boolean }): void {
    const upstreamReq = httpRequest(
      {
        host: target.hostname,
        port: target.port || 80,
        method: req.method,
        path: req.url,
        headers: forwardableHeaders(req.headers),
        agent,
      },
      (upstreamRes) => {
        const headers = forwardableHeaders(upstreamRes.headers);
        entry.status = upstreamRes.statusCode ?? 502;
        res.writeHead(entry.status, headers);
        if (!cut) {
          upstreamRes.pipe(res);
          return;
        }
        const declared = Number(upstreamRes.headers['content-length'] ?? NaN);
        const limit = cut.afterBytes === 'half' ? Math.floor((Number.isFinite(declared) ? declared : 0) / 2) : cut.afterBytes;
        let sent = 0;
        let done = false;
        const stop = () => {
          if (done) return;
          done = true;
          upstreamRes.destroy();
          // Flush what was written, then drop the connection without finishing the body.
          res.write(Buffer.alloc(0), () => hardClose(req.socket, cut.reset));
        };
        if (limit <= 0) {
          res.flushHeaders();
          stop();
          return;
        }
        upstreamRes.on('data', (chunk: Buffer) => {
          if (done) return;
          const room = limit - sent;
          const piece = chunk.length > room ? chunk.subarray(0, room) : chunk;
          sent += piece.length;
          res.write(piece);
          if (sent >= limit) stop();
        });
        upstreamRes.on('end', () => {
          // The body was shorter than the cut point: end normally.
          if (!done) res.end();
        });
      },
    );
    upstreamReq.on('error', () => {
      if (!res.headersSent) {
        entry.status = 502;
        res.writeHead(502).end();
      } else {
        req.socket.destroy();
      }
    });
    // The client went away: stop talking to upstream too.
    res.on('close', () => {
      if (!res.writableFinished) upstreamReq.destroy();
    });
    req.pipe(upstreamReq);
  }

  function apply(action: FaultAction, req: IncomingMessage, res: ServerResponse, entry: ProxyLogEntry, request: ProxiedRequest): void {
    switch (action.kind) {
      case 'forward':
        forward(req, res, entry);
        return;
      case 'error': {
        const body = errorXml(action.code, action.message ?? action.code, request.path, request.seq);
        // Read the whole request first, as a server would, so the connection stays usable.
        req.resume();
        req.on('end', () => {
          entry.status = action.status;
          res.writeHead(action.status, {
            'content-type': 'application/xml',
            'content-length': Buffer.byteLength(body),
            'x-amz-request-id': `fault-proxy-${request.seq}`,
          });
          res.end(body);
        });
        return;
      }
      case 'reset-request': {
        const after = action.afterBytes ?? 0;
        if (after <= 0) {
          hardClose(req.socket, true);
          return;
        }
        let received = 0;
        req.on('data', (chunk: Buffer) => {
          received += chunk.length;
          if (received >= after && !req.socket.destroyed) hardClose(req.socket, true);
        });
        // A body shorter than `after`: reset when it ends.
        req.on('end', () => {
          if (!req.socket.destroyed) hardClose(req.socket, true);
        });
        return;
      }
      case 'cut-response':
        forward(req, res, entry, { afterBytes: action.afterBytes, reset: action.reset ?? false });
        return;
      case 'delay': {
        const timer = setTimeout(() => apply(action.then ?? { kind: 'forward' }, req, res, entry, request), action.ms);
        req.socket.once('close', () => clearTimeout(timer));
        return;
      }
    }
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://proxy.invalid');
    const method = req.method ?? 'GET';
    const { op, bucket, key } = s3Operation(method, url.pathname, url.searchParams);
    const request: ProxiedRequest = { seq: ++seq, method, path: url.pathname, query: url.searchParams, headers: req.headers, op, bucket, key };
    let action: FaultAction;
    try {
      action = rule?.(request) ?? { kind: 'forward' };
    } catch (err) {
      action = { kind: 'error', status: 500, code: 'FaultProxyRuleError', message: String(err) };
    }
    const entry: ProxyLogEntry = { seq: request.seq, op, method, path: url.pathname, query: url.search, key, action: action.kind };
    log.push(entry);
    apply(action, req, res, entry, request);
  });
  // Sockets reset on purpose raise errors on the server side too; they are expected.
  server.on('clientError', (_err, socket) => socket.destroy());

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    endpoint: `http://127.0.0.1:${port}`,
    port,
    setRule(next) {
      rule = next;
    },
    get log() {
      return log;
    },
    clearLog() {
      log = [];
    },
    seen(op, key) {
      return log.filter((e) => e.op === op && (key === undefined || e.key === key));
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      agent.destroy();
    },
  };
}
