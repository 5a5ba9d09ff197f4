/**
 * The metric names a PromQL expression selects. A scanner, not a parser: enough for the expressions
 * Tandem ships (ops/), each checked against what Tandem exports.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'offset',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'inf',
  'nan',
]);

export function metricNamesOf(expr: string): string[] {
  const bare = expr
    // Strings, label matchers, ranges and groupings hold label names and values, not metric names.
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*/g)) {
    // A name followed by "(" is a function or an aggregation (rate, sum, histogram_quantile).
    if (
      bare
        .slice(m.index! + m[0].length)
        .trimStart()
        .startsWith('(')
    )
      continue;
    if (KEYWORDS.has(m[0].toLowerCase())) continue;
    names.add(m[0]);
  }
  return [...names];
}

const ROOT = join(__dirname, '..', '..');
export const RULES_FILE = join(ROOT, 'ops/prometheus/tandem-rules.yml');
const DASHBOARD_FILE = join(ROOT, 'ops/grafana/tandem-dashboard.json');

const RulesFile = z.object({
  groups: z
    .array(
      z.object({
        name: z.string(),
        rules: z.array(z.object({ alert: z.string().optional(), record: z.string().optional(), expr: z.string() })),
      }),
    )
    .min(1),
});
const Dashboard = z.object({
  title: z.string(),
  panels: z
    .array(z.object({ title: z.string(), targets: z.array(z.object({ expr: z.string().min(1) })).min(1) }))
    .min(1),
});

/** Each shipped rule's name and expression. */
export function shippedRules(): { name: string; expr: string }[] {
  const file = RulesFile.parse(parse(readFileSync(RULES_FILE, 'utf8')));
  return file.groups.flatMap((g) => g.rules.map((r) => ({ name: r.alert ?? r.record ?? '(unnamed)', expr: r.expr })));
}

/** Each query of the shipped dashboard, named by its panel. */
export function dashboardQueries(): { name: string; expr: string }[] {
  const dashboard = Dashboard.parse(JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')));
  return dashboard.panels.flatMap((p) => p.targets.map((t) => ({ name: p.title, expr: t.expr })));
}

/** Every metric name the shipped rules and dashboard use, with where each is used. */
export function shippedMetricNames(): Map<string, string[]> {
  const uses = new Map<string, string[]>();
  for (const q of [...shippedRules(), ...dashboardQueries()])
    for (const name of metricNamesOf(q.expr)) uses.set(name, [...(uses.get(name) ?? []), q.name]);
  return uses;
}
