// The sequences the engine runs: every *.yaml / *.yml file of the sequences folder, validated at
// load time. A definition that does not validate is never started: loading fails loudly instead.
import fs from 'node:fs';
import path from 'node:path';
import { parseSequence, SequenceError, type ValidateOptions } from './parse';
import type { SequenceDefinition } from './types';

export class SequenceRegistry {
  private byId = new Map<string, SequenceDefinition>();

  constructor(definitions: SequenceDefinition[]) {
    for (const d of definitions) {
      if (this.byId.has(d.id)) throw new SequenceError(d.id, [`duplicate sequence id "${d.id}"`]);
      this.byId.set(d.id, d);
    }
  }

  /**
   * Loads every sequence of `dir`. With `opts.templates` (the renderer's catalog) unknown templates
   * and missing locales fail the load too, instead of failing a send weeks into a sequence.
   */
  static fromDirectory(dir: string, opts: ValidateOptions = {}): SequenceRegistry {
    if (!fs.existsSync(dir)) return new SequenceRegistry([]);
    const files = fs.readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort();
    return new SequenceRegistry(files.map((f) => parseSequence(fs.readFileSync(path.join(dir, f), 'utf8'), path.join(dir, f), opts)));
  }

  all(): SequenceDefinition[] {
    return [...this.byId.values()];
  }

  get(id: string): SequenceDefinition | undefined {
    return this.byId.get(id);
  }

  /** Sequences whose trigger names this event. Property/attribute filters are applied by the caller. */
  triggeredBy(eventName: string): SequenceDefinition[] {
    return this.all().filter((d) => d.trigger.event === eventName);
  }
}
