/**
 * docs/architecture.md's layer diagram is the code's: each arrow is an import between two top-level
 * folders (solid when it runs, dotted when it names types only), made here from the sources and
 * compared with the diagram. Its names of workflows, activities and task queues exist too.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';
import { SYSTEMS, TASK_QUEUE } from '../../protocol/ids';

const ROOT = join(__dirname, '..', '..');
/** Top to bottom: each may import only those below it. */
const LAYERS = [
  'cli',
  'workers',
  'simulators',
  'workflows',
  'activities',
  'store',
  'connectors',
  'codec',
  'protocol',
  'flows',
];
const DOC = readFileSync(join(ROOT, 'docs', 'architecture.md'), 'utf8');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The relative imports of a file: where to, and whether any of it is there when it runs. */
function importsOf(file: string): { to: string; runs: boolean }[] {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest);
  const found: { to: string; runs: boolean }[] = [];
  for (const node of source.statements) {
    let spec: ts.Expression | undefined;
    let runs = true;
    if (ts.isImportDeclaration(node)) {
      spec = node.moduleSpecifier;
      const clause = node.importClause;
      const named = clause?.namedBindings && ts.isNamedImports(clause.namedBindings) ? clause.namedBindings : undefined;
      runs =
        !clause?.isTypeOnly &&
        !(clause && !clause.name && named && named.elements.length && named.elements.every((e) => e.isTypeOnly));
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier) {
      spec = node.moduleSpecifier;
      runs = !node.isTypeOnly;
    }
    if (spec && ts.isStringLiteral(spec) && spec.text.startsWith('.')) {
      found.push({ to: resolve(dirname(file), spec.text), runs });
    }
  }
  return found;
}

const layerOf = (path: string) => relative(ROOT, path).split(/[\\/]/)[0];

/** The diagram's lines, as the code has them. */
function layerGraph(): string[] {
  const edges = new Map<string, boolean>();
  for (const from of LAYERS) {
    for (const file of sourceFiles(join(ROOT, from))) {
      for (const { to, runs } of importsOf(file)) {
        const target = layerOf(to);
        if (target === from || !LAYERS.includes(target)) continue;
        const key = `${from} ${target}`;
        edges.set(key, (edges.get(key) ?? false) || runs);
      }
    }
  }
  return [...edges]
    .map(([key, runs]) => key.replace(' ', runs ? ' --> ' : ' -.-> '))
    .sort((a, b) => LAYERS.indexOf(a.split(' ')[0]) - LAYERS.indexOf(b.split(' ')[0]) || a.localeCompare(b));
}

/** The lines of the doc's fenced block that follows `marker`. */
function block(marker: string): string[] {
  const at = DOC.indexOf(marker);
  expect(at).toBeGreaterThanOrEqual(0);
  const body = DOC.slice(DOC.indexOf('```mermaid\n', at) + '```mermaid\n'.length);
  return body
    .slice(0, body.indexOf('```'))
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && l !== 'flowchart TD');
}

test('the layer diagram has every import between the layers and no other', () => {
  expect(block('<!-- layers -->')).toEqual(layerGraph());
});

test('no layer imports one above it, not even for types', () => {
  const upward = layerGraph().filter((line) => {
    const [from, , to] = line.split(' ');
    return LAYERS.indexOf(to) < LAYERS.indexOf(from);
  });
  expect(upward).toEqual([]);
});

test('the data path names workflows, activities and task queues that exist', async () => {
  const workflows = Object.keys(await import('../../workflows/index'));
  const steps = [
    ...readFileSync(join(ROOT, 'activities', 'api-steps.ts'), 'utf8').matchAll(/^ {4}async (\w+)\(/gm),
    ...readFileSync(join(ROOT, 'activities', 'local-steps.ts'), 'utf8').matchAll(/^ {4}async (\w+)\(/gm),
  ].map((m) => m[1]);
  const queues: string[] = [TASK_QUEUE, ...SYSTEMS];
  const named = (kind: string) => [...DOC.matchAll(new RegExp(`${kind} \`(\\w+)\``, 'g'))].map((m) => m[1]);
  expect(named('workflow').length).toBeGreaterThan(0);
  expect(named('workflow').filter((w) => !workflows.includes(w))).toEqual([]);
  expect(named('activity').length).toBeGreaterThan(0);
  expect(named('activity').filter((a) => !steps.includes(a))).toEqual([]);
  expect(named('queue').length).toBeGreaterThan(0);
  expect(named('queue').filter((q) => !queues.includes(q))).toEqual([]);
});
