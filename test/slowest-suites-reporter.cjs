// @ts-check
/**
 * Prints the ten slowest suites of the run at its end, so where the suite's time goes is seen on
 * every run (plain JavaScript: jest loads reporters without transforming them).
 */
const { relative } = require('node:path');

class SlowestSuitesReporter {
  /** @param {unknown} _globalConfig @param {{ count?: number }} options */
  constructor(_globalConfig, options) {
    this.count = (options && options.count) || 10;
  }

  /** @param {unknown} _contexts @param {{ testResults: { testFilePath: string, perfStats: { start: number, end: number } }[], startTime: number }} results */
  onRunComplete(_contexts, results) {
    const suites = results.testResults
      .map((r) => ({ path: relative(process.cwd(), r.testFilePath), ms: r.perfStats.end - r.perfStats.start }))
      .filter((s) => s.ms > 0)
      .sort((a, b) => b.ms - a.ms)
      .slice(0, this.count);
    if (!suites.length) return;
    const total = ((Date.now() - results.startTime) / 1000).toFixed(0);
    const lines = suites.map((s) => `${(s.ms / 1000).toFixed(1).padStart(7)} s  ${s.path}`);
    process.stderr.write(`\nThe ${suites.length} slowest suites (the run took ${total} s):\n${lines.join('\n')}\n`);
  }
}

module.exports = SlowestSuitesReporter;
