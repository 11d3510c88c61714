// Maps a path inside a parsed YAML document (["steps", 3, "template"]) to the line and column a
// marketer sees in their editor. Validation runs on plain data so that definitions built in code are
// checked by the same rules; this module is the only place that knows about YAML nodes.
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type Path = ReadonlyArray<string | number>;

export interface Position {
  /** 1-based, as editors count. */
  line: number;
  column: number;
}

/** Where a problem points: at the value of the path (default), or at its key when the key is the mistake. */
export type Anchor = 'value' | 'key';

export interface PositionLookup {
  (path: Path, anchor?: Anchor): Position | undefined;
}

function resolve(doc: Document, node: unknown): unknown {
  // An alias (`*defaults`) has no content of its own; its problems are where the anchor is defined.
  return isAlias(node) ? node.resolve(doc) : node;
}

/**
 * A lookup from paths to positions. A path that does not exist in the document (a missing field)
 * resolves to the deepest node that does: the mapping the field is missing from.
 */
export function positionsOf(doc: Document, lines: LineCounter): PositionLookup {
  const at = (node: Node | undefined): Position | undefined => {
    const offset = node?.range?.[0];
    if (offset === undefined) return undefined;
    const { line, col } = lines.linePos(offset);
    return { line, column: col };
  };
  return (path, anchor = 'value') => {
    let node = resolve(doc, doc.contents) as Node | undefined;
    let keyNode: Node | undefined;
    for (const segment of path) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === segment);
        if (!pair) return at(node);
        keyNode = pair.key as Node;
        const value = resolve(doc, pair.value) as Node | null;
        // `field:` with nothing after it has no value node; point at the key instead.
        if (!value) return at(keyNode);
        node = value;
      } else if (isSeq(node) && typeof segment === 'number') {
        const item = resolve(doc, node.items[segment]) as Node | undefined;
        if (!item) return at(node);
        node = item;
      } else {
        return at(node);
      }
    }
    return anchor === 'key' && keyNode ? at(keyNode) : at(node);
  };
}
