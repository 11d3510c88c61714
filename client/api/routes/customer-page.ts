// The HTML shell of the pages customers reach from email links (unsubscribe, survey thanks, help):
// localized `lang`, right-to-left `dir` where the script needs it, never indexed. Each page family
// brings its own stylesheet and body.
import { textDirection } from '../../../activities/render/locale';

export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function customerPage(locale: string, title: string, style: string, body: string): string {
  return `<!doctype html>
<html lang="${escapeHtml(locale)}" dir="${textDirection(locale)}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(title)}</title>
<style>${style}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}
