// The plain closing line CI reads: "N passed, N failed" (", N skipped" when any were skipped).
// scripts/test.sh prints it after jest exits, so it is the very last line; it is written to the file
// named by OUTREACH_TEST_SUMMARY_FILE (or printed here when jest runs on its own).
const fs = require('node:fs');

class SummaryReporter {
  onRunComplete(_contexts, results) {
    const skipped = results.numPendingTests + results.numTodoTests;
    // Suites that failed to run (syntax error, failed hook) count as failures even with no test inside.
    const failed = results.numFailedTests + results.numRuntimeErrorTestSuites;
    const line = `${results.numPassedTests} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`;
    if (process.env.OUTREACH_TEST_SUMMARY_FILE) fs.writeFileSync(process.env.OUTREACH_TEST_SUMMARY_FILE, line + '\n');
    else process.stdout.write(`\n${line}\n`);
  }
}
module.exports = SummaryReporter;
