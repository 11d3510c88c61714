// `outreach <command> [flags]`: dispatches to the command whose name matches the longest prefix of
// the arguments ("template lint" before "template").
import { commands } from './commands';
import { UsageError } from './args';
import { ConfigError } from '../../domain/config';

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'usage: outreach <command> [flags]',
    '',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `outreach <command> --help` for a command\'s flags.',
  ].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 0 || argv[0] === '--help' || argv[0] === '-h' || argv[0] === 'help') {
    process.stdout.write(help() + '\n');
    return argv.length === 0 ? 2 : 0;
  }
  const match = [...commands]
    .sort((a, b) => b.name.split(' ').length - a.name.split(' ').length)
    .find((c) => c.name.split(' ').every((w, i) => argv[i] === w));
  if (!match) {
    process.stderr.write(`outreach: unknown command '${argv.slice(0, 2).join(' ')}'\n\n${help()}\n`);
    return 2;
  }
  const rest = argv.slice(match.name.split(' ').length);
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`usage: ${match.usage}\n\n${match.summary}\n`);
    return 0;
  }
  try {
    return await match.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`outreach ${match.name}: ${err.message}\nusage: ${match.usage}\n`);
      return 2;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`outreach ${match.name}: ${err.message}\n`);
      return 1;
    }
    throw err;
  }
}
