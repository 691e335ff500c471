import { AnalyzeError } from '../core/index.js';
import { type ClarisseToken, tokenizeProject } from './tokenizer.js';

/**
 * The brace tree of a `.project`. A statement is the tokens up to the end of
 * its line; a statement followed by `{` opens a block whose head is those
 * tokens (`Context "scene"`, `Image`, `embedded_objects`, an attribute with
 * a sub-block such as `color`). `#name value` lines are metadata; `#name {`
 * (e.g. `#preferences`) opens a metadata block.
 */
export interface Value {
  text: string;
  quoted: boolean;
}

export interface Statement {
  kind: 'statement';
  name: string;
  values: Value[];
  meta: boolean;
  line: number;
}

export interface Block {
  kind: 'block';
  /** First head token (class, `Context`, attribute name, metadata name). */
  name: string;
  args: Value[];
  meta: boolean;
  children: Entry[];
  line: number;
}

export type Entry = Statement | Block;

/** Nesting accepted; real projects nest about ten levels (preferences UI layouts the deepest). */
export const MAX_DEPTH = 256;

export function parseBraceTree(text: string, file?: string): Entry[] {
  const tokens = tokenizeProject(text, file);
  const root: Block = { kind: 'block', name: '', args: [], meta: false, children: [], line: 0 };
  const stack: Block[] = [root];
  let pending: ClarisseToken[] = [];

  const flush = () => {
    if (pending.length === 0) return;
    const head = pending[0]!;
    if ('text' in head) {
      stack[stack.length - 1]!.children.push({
        kind: 'statement',
        name: head.text,
        values: values(pending.slice(1)),
        meta: head.kind === 'meta',
        line: head.line,
      });
    }
    pending = [];
  };

  for (const token of tokens) {
    if (token.kind === 'newline') {
      flush();
    } else if (token.kind === 'open') {
      const head = pending[0];
      if (head === undefined || !('text' in head)) {
        throw new AnalyzeError('CORRUPT', `block without a name on line ${token.line}`, file);
      }
      if (stack.length > MAX_DEPTH) {
        throw new AnalyzeError(
          'LIMIT_EXCEEDED',
          `blocks nested deeper than ${MAX_DEPTH} on line ${token.line}`,
          file,
        );
      }
      const block: Block = {
        kind: 'block',
        name: head.text,
        args: values(pending.slice(1)),
        meta: head.kind === 'meta',
        children: [],
        line: head.line,
      };
      stack[stack.length - 1]!.children.push(block);
      stack.push(block);
      pending = [];
    } else if (token.kind === 'close') {
      flush();
      if (stack.length === 1) throw new AnalyzeError('CORRUPT', `unbalanced "}" on line ${token.line}`, file);
      stack.pop();
    } else {
      pending.push(token);
    }
  }
  flush();
  if (stack.length > 1) {
    const open = stack[stack.length - 1]!;
    throw new AnalyzeError(
      'TRUNCATED',
      `block "${open.name}" opened on line ${open.line} is not closed`,
      file,
    );
  }
  return root.children;
}

function values(tokens: ClarisseToken[]): Value[] {
  const out: Value[] = [];
  for (const t of tokens) {
    if (t.kind === 'word' || t.kind === 'meta')
      out.push({ text: t.kind === 'meta' ? `#${t.text}` : t.text, quoted: false });
    else if (t.kind === 'string') out.push({ text: t.text, quoted: true });
  }
  return out;
}
