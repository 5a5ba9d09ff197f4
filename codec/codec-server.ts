/**
 * The codec endpoint of the Temporal Web UI and CLI (Temporal's codec server protocol): `POST /encode`
 * and `POST /decode` take `{payloads: [{metadata: {name: base64}, data: base64}]}` and answer the same
 * shape, run through Tandem's codec. Whoever may call it may read the personal data, so every call
 * needs the token: `Authorization: Bearer <token>` (what the UI sends with "Pass access token" on,
 * and what `temporal --codec-auth` sends), or, for a UI that sends no header (the dev server's), the
 * token as the first part of the path: `/t/<token>/decode`. CORS lets the configured UI origins in.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Payload, PayloadCodec } from '@temporalio/common';

export interface CodecServerOptions {
  codec: PayloadCodec;
  token: string;
  /** Origins (scheme://host:port) of the Web UI allowed to call from a browser. */
  corsOrigins: readonly string[];
  /** Biggest request accepted; a long history's page of payloads can be a few MB. */
  bodyLimit?: number;
}

const JsonPayload = z.object({
  metadata: z.record(z.string(), z.string()).nullish(),
  data: z.string().nullish(),
});
type JsonPayload = z.infer<typeof JsonPayload>;
const Body = z.object({ payloads: z.array(JsonPayload) });

function fromJson(p: JsonPayload): Payload {
  return {
    metadata: p.metadata
      ? Object.fromEntries(Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v, 'base64')]))
      : undefined,
    data: p.data ? Buffer.from(p.data, 'base64') : undefined,
  };
}

function toJson(p: Payload): JsonPayload {
  return {
    metadata: p.metadata
      ? Object.fromEntries(
          Object.entries(p.metadata).map(([k, v]) => [k, Buffer.from(v ?? new Uint8Array()).toString('base64')]),
        )
      : undefined,
    data: p.data ? Buffer.from(p.data).toString('base64') : undefined,
  };
}

/** Constant-time, whatever the lengths: both sides are hashed to the same size first. */
export function sameToken(given: string, expected: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function buildCodecServer(opts: CodecServerOptions): FastifyInstance {
  if (opts.token.length < 16)
    throw new Error('the codec endpoint needs a token of at least 16 characters (TANDEM_CODEC_TOKEN)');
  // No request log: a path can hold the token.
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 16 * 1024 * 1024 });
  const origins = new Set(opts.corsOrigins.map((o) => o.replace(/\/$/, '')));

  app.addHook('onRequest', async (req, reply) => {
    const origin = req.headers.origin;
    if (origin && origins.has(origin)) {
      reply.header('access-control-allow-origin', origin);
      reply.header('vary', 'Origin');
      reply.header('access-control-allow-credentials', 'true');
      reply.header('access-control-allow-methods', 'POST, OPTIONS');
      reply.header('access-control-allow-headers', 'authorization, content-type, x-namespace');
      reply.header('access-control-max-age', '600');
    }
    // A preflight carries no credentials: answered here, before the token check.
    if (req.method === 'OPTIONS') return reply.code(204).send();
  });

  const handler = (op: 'encode' | 'decode') => async (req: FastifyRequest, reply: FastifyReply) => {
    const pathToken = (req.params as { token?: string }).token;
    const bearer = /^Bearer\s+(.+)$/i.exec(req.headers.authorization ?? '')?.[1]?.trim();
    const given = pathToken ?? bearer;
    if (!given || !sameToken(given, opts.token)) {
      return reply
        .code(401)
        .header('www-authenticate', 'Bearer')
        .send({
          error: given
            ? 'the codec token does not match'
            : 'the codec endpoint needs a token: Authorization: Bearer <TANDEM_CODEC_TOKEN>',
        });
    }
    const body = Body.safeParse(req.body);
    if (!body.success) {
      return reply.code(400).send({
        error:
          `expected {"payloads": [{"metadata": {...}, "data": "<base64>"}]}: ${body.error.issues[0]?.path.join('.') ?? ''} ${body.error.issues[0]?.message ?? ''}`.trim(),
      });
    }
    try {
      const payloads = body.data.payloads.map(fromJson);
      const out = op === 'encode' ? await opts.codec.encode(payloads) : await opts.codec.decode(payloads);
      return reply.send({ payloads: out.map(toJson) });
    } catch (err) {
      // The codec's messages name key ids, never keys or data.
      return reply.code(422).send({ error: `cannot ${op}: ${(err as Error).message}` });
    }
  };
  for (const op of ['encode', 'decode'] as const) {
    app.post(`/${op}`, handler(op));
    app.post(`/t/:token/${op}`, handler(op));
  }
  return app;
}

export interface RunningCodecServer {
  url: string;
  close(): Promise<void>;
}

export async function startCodecServer(
  opts: CodecServerOptions & { port: number; host?: string },
): Promise<RunningCodecServer> {
  const app = buildCodecServer(opts);
  const host = opts.host ?? '127.0.0.1';
  await app.listen({ port: opts.port, host });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  return { url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`, close: () => app.close() };
}
