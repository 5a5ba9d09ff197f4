/**
 * Checks answers (of a simulator or a real API) against an OpenAPI 3.0 document's response schemas.
 * The whole document is registered once with ajv under an `$id`, and each operation's schema is a
 * `$ref` into it, so only the schemas actually used get compiled, not the whole (huge) document.
 */
import Ajv, { ErrorObject, ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import YAML from 'yaml';

/** Where the repository keeps each API's OpenAPI document: beside the connector that speaks it. */
const SPECS = {
  'zendesk-support.openapi.yaml': 'connectors/zendesk/openapi',
  'powerofficego-v2.openapi.yaml': 'connectors/poweroffice/openapi',
} as const;

/** The path of an OpenAPI document kept in the repository (see the README beside each). */
export function apiSpec(file: keyof typeof SPECS): string {
  return resolve(__dirname, '../..', SPECS[file], file);
}

export interface OpenApiValidator {
  /**
   * Problems of `body` as the answer of `method pathTemplate` with `status` (empty when valid, or when
   * the spec declares that answer without a JSON body). Throws when the operation or status is not in
   * the spec. `pathTemplate` is the spec's template (`/Departments/{id}`); a concrete path also works.
   */
  validateResponse(method: string, pathTemplate: string, status: number, body: unknown): string[];
  /** Whether the spec gives a JSON schema for that answer (some answers are declared without one). */
  hasResponseSchema(method: string, pathTemplate: string, status: number): boolean;
  /** Problems of `body` against `#/components/schemas/<name>`. */
  validateSchema(name: string, body: unknown): string[];
}

const SPEC_ID = 'openapi-spec.json';
const JSON_TYPES = ['application/json', 'text/json'];

interface ResponseObject {
  content?: Record<string, { schema?: unknown }>;
}
interface Spec {
  paths?: Record<string, Record<string, { responses?: Record<string, ResponseObject> }>>;
  components?: { schemas?: Record<string, unknown> };
}

export function loadOpenApi(specPath: string): OpenApiValidator {
  // YAML 1.2 core schema: Zendesk's `change: =` is a plain string there (the 1.1 "value" tag is not applied).
  const spec = YAML.parse(readFileSync(specPath, 'utf8'), {
    schema: 'core',
    version: '1.2',
    maxAliasCount: -1,
  }) as Spec;
  if (!spec?.paths) throw new Error(`${specPath} has no paths: not an OpenAPI document`);
  const ajv = new Ajv({ strict: false, allErrors: true, logger: false, validateSchema: false });
  addFormats(ajv);
  ajv.addSchema(spec as object, SPEC_ID);
  const cache = new Map<string, ValidateFunction | null>();
  const templates = Object.keys(spec.paths);

  function findTemplate(path: string): string {
    if (spec.paths![path]) return path;
    const match = templates.find((t) =>
      new RegExp(`^${t.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
    );
    if (!match) throw new Error(`${specPath}: no path ${path}`);
    return match;
  }

  function pointer(...parts: string[]): string {
    return `${SPEC_ID}#/${parts.map((p) => p.replace(/~/g, '~0').replace(/\//g, '~1')).join('/')}`;
  }

  function compile(ref: string, label: string): ValidateFunction {
    try {
      return ajv.compile({ $ref: ref });
    } catch (err) {
      throw new Error(`${specPath}: cannot compile the schema of ${label}: ${(err as Error).message}`);
    }
  }

  function validatorFor(method: string, path: string, status: number): ValidateFunction | null {
    const template = findTemplate(path);
    const m = method.toLowerCase();
    const key = `${m} ${template} ${status}`;
    if (cache.has(key)) return cache.get(key)!;
    const op = spec.paths![template][m];
    if (!op) throw new Error(`${specPath}: no operation ${method.toUpperCase()} ${template}`);
    const responses = op.responses ?? {};
    const statusKey =
      String(status) in responses
        ? String(status)
        : `${String(status)[0]}XX` in responses
          ? `${String(status)[0]}XX`
          : undefined;
    if (!statusKey)
      throw new Error(
        `${specPath}: ${method.toUpperCase()} ${template} declares no ${status} answer (has ${Object.keys(responses).join(', ')})`,
      );
    const content = responses[statusKey].content ?? {};
    const type =
      JSON_TYPES.find((t) => content[t]?.schema) ??
      Object.keys(content).find((t) => /[/+]json\b/.test(t) && content[t]?.schema);
    const fn = type
      ? compile(pointer('paths', template, m, 'responses', statusKey, 'content', type, 'schema'), key)
      : null;
    cache.set(key, fn);
    return fn;
  }

  return {
    validateResponse(method, path, status, body) {
      const fn = validatorFor(method, path, status);
      return fn ? run(fn, body) : [];
    },
    hasResponseSchema(method, path, status) {
      return validatorFor(method, path, status) !== null;
    },
    validateSchema(name, body) {
      if (!spec.components?.schemas?.[name]) throw new Error(`${specPath}: no schema ${name}`);
      const key = `#schema ${name}`;
      let fn = cache.get(key);
      if (!fn) {
        fn = compile(pointer('components', 'schemas', name), name);
        cache.set(key, fn);
      }
      return run(fn, body);
    },
  };
}

function run(fn: ValidateFunction, body: unknown): string[] {
  return fn(body) ? [] : (fn.errors ?? []).map(describe);
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '(body)';
  if (e.keyword === 'additionalProperties')
    return `${at}: unexpected property \`${(e.params as { additionalProperty: string }).additionalProperty}\``;
  if (e.keyword === 'required')
    return `${at}: missing property \`${(e.params as { missingProperty: string }).missingProperty}\``;
  return `${at}: ${e.message ?? e.keyword}`;
}
