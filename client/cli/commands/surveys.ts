// `outreach surveys report`: NPS, CSAT, CES and response rates over a time range, from the database
// (the same numbers as the API's GET /v1/surveys/report; see client/api/surveys-report.ts).
import type { Command } from '../command';
import { parseFlags, UsageError } from '../args';
import { loadConfig } from '../../../domain/config';
import { createDb } from '../../../activities/db/client';
import { FieldErrors } from '../../api/schemas';
import { formatReport, parseReportQuery, REPORT_DIMENSIONS, surveyReport } from '../../api/surveys-report';

export const surveysReportCommand: Command = {
  name: 'surveys report',
  summary: 'Survey metrics (NPS, CSAT, CES, response rate) per survey, locale or country over a time range.',
  usage: `outreach surveys report [--since <date>] [--until <date>] [--group-by none|${REPORT_DIMENSIONS.join(',')}] [--json]`,
  async run(argv) {
    const { values } = parseFlags(argv, {
      since: { type: 'string' },
      until: { type: 'string' },
      'group-by': { type: 'string' },
      json: { type: 'boolean' },
    });
    let query;
    try {
      query = parseReportQuery({ since: values.since, until: values.until, groupBy: values['group-by'] });
    } catch (err) {
      if (err instanceof FieldErrors) {
        const e = err.errors[0];
        throw new UsageError(`--${e.field === 'groupBy' ? 'group-by' : e.field} ${e.message}`);
      }
      throw err;
    }
    const db = createDb(loadConfig().database);
    try {
      const report = await surveyReport(db, query);
      process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatReport(report));
      return 0;
    } finally {
      await db.$disconnect();
    }
  },
};
