/**
 * The local end of the authorization-code flow's redirect (RFC 8252 §7.3, a loopback address): a
 * one-shot HTTP listener that takes the `code` (or `error`) the login host sends the browser back
 * with, checks its `state`, and tells the person they can close the window.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';

export type Redirected = { code: string } | { error: string; description?: string };

export interface RedirectListener {
  /** The redirect URI as listened on (a port 0 in the one asked for is the port the system chose). */
  redirectUri: string;
  /** Resolves with the first redirect whose `state` matches. */
  result: Promise<Redirected>;
  close(): Promise<void>;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

function checkLoopbackRedirect(redirectUri: string): URL {
  let url: URL;
  try {
    url = new URL(redirectUri);
  } catch {
    throw new Error(`--redirect-uri "${redirectUri}" is not a URL`);
  }
  if (url.protocol !== 'http:' || !LOOPBACK.has(url.hostname)) {
    throw new Error(
      `--redirect-uri ${redirectUri}: tandem listens only on a loopback http address (http://127.0.0.1:<port>/<path>); for another redirect URI use --no-wait, then --code with what the browser was sent to`,
    );
  }
  return url;
}

function page(res: ServerResponse, status: number, text: string): void {
  res.writeHead(status, { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store' });
  res.end(`<!doctype html><meta charset="utf-8"><title>Tandem</title><p>${text}</p>`);
}

export async function listenForRedirect(redirectUri: string, state: string): Promise<RedirectListener> {
  const wanted = checkLoopbackRedirect(redirectUri);
  let settle!: (r: Redirected) => void;
  const result = new Promise<Redirected>((resolve) => (settle = resolve));
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (req.method !== 'GET' || url.pathname !== wanted.pathname) return page(res, 404, 'Not found.');
    const q = url.searchParams;
    // Not this authorization's answer (an old tab, or another site's forged one): refused, still waiting.
    if (q.get('state') !== state)
      return page(
        res,
        400,
        'This answer does not belong to the sign-in tandem is waiting for (its state differs). Start again from the address tandem printed.',
      );
    const code = q.get('code');
    const error = q.get('error');
    if (code) {
      page(res, 200, 'Tandem has the authorization code. You can close this window and go back to the terminal.');
      settle({ code });
    } else {
      page(
        res,
        200,
        `The login host answered: ${(error ?? 'no code').replace(/[<>&]/g, '')}. Go back to the terminal.`,
      );
      settle({
        error: error ?? 'invalid_request',
        description: q.get('error_description') ?? (error ? undefined : 'the redirect carried neither code nor error'),
      });
    }
  });
  const host = wanted.hostname.replace(/^\[|\]$/g, '');
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err: NodeJS.ErrnoException) =>
      reject(
        err.code === 'EADDRINUSE'
          ? new Error(
              `port ${wanted.port} of ${wanted.hostname} is in use, so the redirect cannot be received; free it, or pass --redirect-uri with another port registered for the client`,
            )
          : err,
      ),
    );
    server.listen(Number(wanted.port || 80), host, () => resolve());
  });
  const actual = new URL(wanted.toString());
  actual.port = String((server.address() as AddressInfo).port);
  return {
    redirectUri: actual.toString(),
    result,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
