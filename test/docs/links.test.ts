/**
 * Every relative link in the project's Markdown (README, docs/, the READMEs beside the code) points
 * at a file that exists, and an anchor into a Markdown file names one of its headings, so moving
 * or renaming a document cannot leave a newcomer at a dead link.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const SKIP = new Set(['node_modules', 'dist', '.git', 'results', 'histories']);

function markdownFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (SKIP.has(name)) return [];
    if (statSync(path).isDirectory()) return markdownFiles(path);
    return name.endsWith('.md') ? [path] : [];
  });
}

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\- _]/gu, '')
    .replace(/ /g, '-');
}

function anchorsOf(file: string): Set<string> {
  const text = readFileSync(file, 'utf8').replace(/```[\s\S]*?```/g, '');
  return new Set([...text.matchAll(/^#{1,6}\s+(.+)$/gm)].map((m) => slug(m[1].replace(/`/g, ''))));
}

/** Inline links and images outside code, `[text](target)`, relative targets only. */
function relativeLinks(file: string): string[] {
  const text = readFileSync(file, 'utf8')
    .replace(/```[\s\S]*?```/g, '')
    .replace(/`[^`\n]*`/g, '');
  return [...text.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)]
    .map((m) => m[1])
    .filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t));
}

const files = markdownFiles(ROOT);

test('the project has its README and docs to check', () => {
  const names = files.map((f) => relative(ROOT, f));
  expect(names).toEqual(
    expect.arrayContaining([
      'README.md',
      'docs/flows.md',
      'docs/systems.md',
      'docs/operating.md',
      'docs/guarantees.md',
      'docs/benchmarks.md',
    ]),
  );
});

test.each(files.map((f) => [relative(ROOT, f), f]))('every relative link in %s resolves', (_name, file) => {
  const broken: string[] = [];
  for (const link of relativeLinks(file)) {
    const [path, anchor] = link.split('#');
    const target = path ? resolve(dirname(file), decodeURIComponent(path)) : file;
    if (!existsSync(target)) broken.push(`${link} (no file ${relative(ROOT, target)})`);
    else if (anchor && target.endsWith('.md') && !anchorsOf(target).has(anchor))
      broken.push(`${link} (no heading #${anchor} in ${relative(ROOT, target)})`);
  }
  expect(broken).toEqual([]);
});

test("README stays a newcomer's page: under 250 lines", () => {
  expect(readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').length).toBeLessThan(250);
});
