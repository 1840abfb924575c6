/**
 * Where the members of a JSON document are written in its text: the line and column of each
 * key, found by walking the document's structure, not by searching for the name (a logical ID
 * also appears in a DependsOn, a Ref and an output; a Terraform name in every reference to it).
 * Used to point a SARIF result at the line that declares its resource.
 */

/** A position as SARIF counts it: lines from 1, columns from 1 in UTF-16 code units (a JS string's). */
export interface TextPosition {
  readonly line: number;
  readonly column: number;
}

/** An object member: where its key is, and the members of its value (when it is an object that was indexed). */
export interface KeyNode {
  readonly position: TextPosition;
  readonly members: ReadonlyMap<string, KeyNode>;
}

/** The document's top-level members; a document whose top level is not an object has none. */
export type KeyIndex = ReadonlyMap<string, KeyNode>;

/** The text is not JSON; the locator does not judge it further (the reader of the file already has). */
class NotJson extends Error {}

/**
 * The keys of a JSON document to `depth` levels of objects (2 reaches a template's logical IDs,
 * 3 a Terraform resource's name), in one pass over the text.
 *
 * As JSON.parse, the last of duplicate keys wins, with its whole value. An array on the way is
 * transparent: the members of the objects in it are the members of its level, as Terraform JSON
 * writes a repeated block level (`"resource": [{ "google_x": … }, { "google_y": … }]`).
 *
 * Undefined when the text is not JSON. The inside of a value string is passed over, not checked:
 * the files located are those the model has already parsed.
 */
export function indexJsonKeys(text: string, depth: number): KeyIndex | undefined {
  try {
    const scanner = new Scanner(text);
    const top = new Map<string, KeyNode>();
    scanner.value(top, depth);
    scanner.end();
    return top;
  } catch (e) {
    // A document nested deeper than the stack: not one attestgate reads either.
    if (e instanceof NotJson || e instanceof RangeError) return undefined;
    throw e;
  }
}

/** Where the member at `path` (keys from the top) is written; undefined when the document does not have it. */
export function positionOf(index: KeyIndex, path: readonly string[]): TextPosition | undefined {
  let members: ReadonlyMap<string, KeyNode> = index;
  let node: KeyNode | undefined;
  for (const key of path) {
    node = members.get(key);
    if (!node) return undefined;
    members = node.members;
  }
  return node?.position;
}

const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

class Scanner {
  private at = 0;
  /** Where the current line starts, and its number: positions are counted as the scan passes them. */
  private lineStart = 0;
  private line = 1;

  constructor(private readonly text: string) {
    // A byte order mark is not part of the document (JSON.parse refuses it; the readers strip it).
    if (text.startsWith('\uFEFF')) this.at = this.lineStart = 1;
  }

  /**
   * Scans one value. When it is an object and `depth` > 0, its members go into `into` (a later
   * duplicate replacing an earlier one); an array passes `into` on to its elements.
   */
  value(into: Map<string, KeyNode> | undefined, depth: number): void {
    this.whitespace();
    const c = this.text[this.at];
    if (c === '{') this.object(depth > 0 ? into : undefined, depth);
    else if (c === '[') this.array(into, depth);
    else if (c === '"') this.skipString();
    else if (this.text.startsWith('true', this.at)) this.at += 4;
    else if (this.text.startsWith('false', this.at)) this.at += 5;
    else if (this.text.startsWith('null', this.at)) this.at += 4;
    else {
      NUMBER.lastIndex = this.at;
      if (!NUMBER.test(this.text)) throw new NotJson();
      this.at = NUMBER.lastIndex;
    }
  }

  end(): void {
    this.whitespace();
    if (this.at !== this.text.length) throw new NotJson();
  }

  private object(into: Map<string, KeyNode> | undefined, depth: number): void {
    this.at++;
    this.whitespace();
    if (this.text[this.at] === '}') {
      this.at++;
      return;
    }
    for (;;) {
      this.whitespace();
      if (this.text[this.at] !== '"') throw new NotJson();
      const position = { line: this.line, column: this.at - this.lineStart + 1 };
      const key = this.string();
      this.whitespace();
      this.expect(':');
      const members = new Map<string, KeyNode>();
      this.value(into ? members : undefined, depth - 1);
      into?.set(key, { position, members });
      this.whitespace();
      if (this.text[this.at] === ',') this.at++;
      else return this.expect('}');
    }
  }

  private array(into: Map<string, KeyNode> | undefined, depth: number): void {
    this.at++;
    this.whitespace();
    if (this.text[this.at] === ']') {
      this.at++;
      return;
    }
    for (;;) {
      this.value(into, depth);
      this.whitespace();
      if (this.text[this.at] === ',') this.at++;
      else return this.expect(']');
    }
  }

  /**
   * Past a string without reading its value (most of a template is values, some of them whole
   * certificates): to the first quote not escaped, one after an even run of backslashes.
   */
  private skipString(): void {
    let from = this.at + 1;
    for (;;) {
      const quote = this.text.indexOf('"', from);
      if (quote < 0) throw new NotJson();
      let backslashes = 0;
      while (this.text[quote - 1 - backslashes] === '\\') backslashes++;
      from = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    this.at = from;
  }

  /** A string's value, with its escapes read. */
  private string(): string {
    this.at++;
    let value = '';
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || c < ' ') throw new NotJson();
      this.at++;
      if (c === '"') return value;
      if (c !== '\\') {
        value += c;
        continue;
      }
      const e = this.text[this.at++];
      if (e === 'u') {
        const hex = this.text.slice(this.at, this.at + 4);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) throw new NotJson();
        value += String.fromCharCode(parseInt(hex, 16));
        this.at += 4;
      } else if (e !== undefined && e in ESCAPES) value += ESCAPES[e];
      else throw new NotJson();
    }
  }

  /** Skips whitespace, counting lines: CR LF, LF and a lone CR each end one, as SARIF counts them. */
  private whitespace(): void {
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined || !WHITESPACE.has(c)) return;
      this.at++;
      if (c === '\n' || (c === '\r' && this.text[this.at] !== '\n')) {
        this.line++;
        this.lineStart = this.at;
      }
    }
  }

  private expect(c: string): void {
    if (this.text[this.at] !== c) throw new NotJson();
    this.at++;
  }
}
