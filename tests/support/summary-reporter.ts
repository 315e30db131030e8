/** Prints one plain closing line, `tests: N passed, N failed, N skipped`, after vitest's own summary. */
import type { Reporter, TestModule } from "vitest/node";

export default class SummaryReporter implements Reporter {
  onTestRunEnd(testModules: ReadonlyArray<TestModule>): void {
    let passed = 0, failed = 0, skipped = 0;
    for (const module of testModules) {
      // A file that fails to load or whose hooks fail counts as a failure even if no test ran.
      if (module.state() === "failed" && [...module.children.allTests()].every((t) => t.result().state !== "failed")) failed++;
      for (const test of module.children.allTests()) {
        const state = test.result().state;
        if (state === "passed") passed++;
        else if (state === "failed") failed++;
        else skipped++;
      }
    }
    console.log(`tests: ${passed} passed, ${failed} failed, ${skipped} skipped`);
  }
}
