/**
 * console.log's formatting, close to Node's util.format / util.inspect (what candidates expect from `node main.js`):
 * strings as they are at the top level and quoted inside objects, `{ a: 1 }`, `[ 1, 2 ]`, `Map(1) { 'a' => 1 }`,
 * class names, `[Circular *1]`-style cycles as `[Circular]`, nesting cut at depth 2, long values on several lines.
 *
 * Written here rather than taken from npm: the browser ports of util.inspect are either Node 0.x-era (the `util`
 * package) or format differently (object-inspect), and this covers what an interview program prints in ~150 lines.
 */

const MAX_DEPTH = 2;
const MAX_ITEMS = 100;
const BREAK_LENGTH = 72;

export function formatArgs(args: readonly unknown[]): string {
  const [first, ...rest] = args;
  if (typeof first === 'string' && first.includes('%')) {
    let index = 0;
    const head = first.replace(/%([sdifjoOc%])/g, (match, spec: string) => {
      if (spec === '%') return '%';
      if (index >= rest.length) return match;
      const value = rest[index++];
      switch (spec) {
        case 's':
          return typeof value === 'string' ? value : inspect(value, { depth: 1 });
        case 'd':
        case 'i': {
          if (typeof value === 'bigint') return `${value}n`;
          const n = Number(value);
          return String(spec === 'i' ? Math.trunc(n) : n);
        }
        case 'f':
          return String(Number.parseFloat(String(value)));
        case 'j':
          try {
            return JSON.stringify(value);
          } catch {
            return '[Circular]';
          }
        case 'c':
          return ''; // CSS in the browser console; nothing in a text output
        default:
          return inspect(value);
      }
    });
    return [head, ...rest.slice(index).map((value) => (typeof value === 'string' ? value : inspect(value)))].join(' ');
  }
  return args.map((value) => (typeof value === 'string' ? value : inspect(value))).join(' ');
}

export function inspect(value: unknown, options: { depth?: number } = {}): string {
  return format(value, options.depth ?? MAX_DEPTH, new Set(), 0);
}

function quote(text: string): string {
  const escaped = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/\t/g, '\\t');
  return escaped.includes("'") && !escaped.includes('"') ? `"${escaped}"` : `'${escaped.replace(/'/g, "\\'")}'`;
}

function formatKey(key: string | symbol): string {
  if (typeof key === 'symbol') return `[${key.toString()}]`;
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : quote(key);
}

function className(value: object): string | undefined {
  const proto = Object.getPrototypeOf(value) as { constructor?: { name?: unknown } } | null;
  if (proto === null) return '[Object: null prototype]';
  const name = proto.constructor?.name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** `{ a, b }` on one line when it fits, else one entry per line. */
function wrap(open: string, entries: string[], close: string, indent: number): string {
  if (entries.length === 0) return `${open}${close}`;
  const oneLine = `${open} ${entries.join(', ')} ${close}`;
  if (oneLine.length + indent <= BREAK_LENGTH && !oneLine.includes('\n')) return oneLine;
  const pad = ' '.repeat(indent + 2);
  return `${open}\n${entries.map((entry) => pad + entry).join(',\n')}\n${' '.repeat(indent)}${close}`;
}

let cleanStack: (stack: string) => string = (stack) => stack;

/** How an Error's stack is shown: the JavaScript engine maps its module's blob: URL to main.js and drops its own frames. */
export function setStackCleaner(clean: (stack: string) => string): void {
  cleanStack = clean;
}

function formatError(error: Error): string {
  const stack = typeof error.stack === 'string' ? error.stack : '';
  return stack.startsWith(`${error.name}`) ? cleanStack(stack) : `${error.name}: ${error.message}`;
}

function format(value: unknown, depth: number, seen: Set<object>, indent: number): string {
  switch (typeof value) {
    case 'string':
      return quote(value);
    case 'number':
      return Object.is(value, -0) ? '-0' : String(value);
    case 'bigint':
      return `${value}n`;
    case 'boolean':
    case 'undefined':
      return String(value);
    case 'symbol':
      return value.toString();
    case 'function': {
      const source = Function.prototype.toString.call(value);
      if (source.startsWith('class')) return `[class ${value.name || '(anonymous)'}]`;
      return `[Function: ${value.name || '(anonymous)'}]`;
    }
  }
  if (value === null) return 'null';
  const object = value as object;
  if (seen.has(object)) return '[Circular]';

  if (object instanceof Error) return formatError(object);
  if (object instanceof Date) return Number.isNaN(object.getTime()) ? 'Invalid Date' : object.toISOString();
  if (object instanceof RegExp) return object.toString();
  if (object instanceof Promise) return 'Promise { <unknown> }';
  if (object instanceof WeakMap || object instanceof WeakSet) return `${className(object)} { <items unknown> }`;

  const name = className(object);
  if (depth < 0) return Array.isArray(object) ? '[Array]' : `[${name ?? 'Object'}]`;

  seen.add(object);
  try {
    const inner = (item: unknown) => format(item, depth - 1, seen, indent + 2);
    const more = (count: number) => (count > MAX_ITEMS ? [`... ${count - MAX_ITEMS} more item${count - MAX_ITEMS === 1 ? '' : 's'}`] : []);

    if (Array.isArray(object)) {
      const items = object.slice(0, MAX_ITEMS).map((item, i) => (i in object ? inner(item) : '<empty item>'));
      const prefix = name === 'Array' ? '' : `${name ?? 'Array'}(${object.length}) `;
      return prefix + wrap('[', [...items, ...more(object.length)], ']', indent);
    }
    if (ArrayBuffer.isView(object) && !(object instanceof DataView)) {
      const items = Array.from(object as unknown as ArrayLike<number | bigint>).slice(0, MAX_ITEMS).map(inner);
      const length = (object as unknown as ArrayLike<unknown>).length;
      return `${name}(${length}) ` + wrap('[', [...items, ...more(length)], ']', indent);
    }
    if (object instanceof Map) {
      const items = [...object].slice(0, MAX_ITEMS).map(([k, v]) => `${inner(k)} => ${inner(v)}`);
      return `${name}(${object.size}) ` + wrap('{', [...items, ...more(object.size)], '}', indent);
    }
    if (object instanceof Set) {
      const items = [...object].slice(0, MAX_ITEMS).map(inner);
      return `${name}(${object.size}) ` + wrap('{', [...items, ...more(object.size)], '}', indent);
    }

    const keys: (string | symbol)[] = [...Object.keys(object), ...Object.getOwnPropertySymbols(object).filter((s) => Object.prototype.propertyIsEnumerable.call(object, s))];
    const entries = keys.slice(0, MAX_ITEMS).map((key) => {
      const descriptor = Object.getOwnPropertyDescriptor(object, key);
      const shown = descriptor && 'value' in descriptor ? inner(descriptor.value) : descriptor?.get && descriptor.set ? '[Getter/Setter]' : descriptor?.get ? '[Getter]' : '[Setter]';
      return `${formatKey(key)}: ${shown}`;
    });
    const prefix = name === 'Object' ? '' : `${name ?? 'Object'} `;
    return prefix + wrap('{', [...entries, ...more(keys.length)], '}', indent);
  } finally {
    seen.delete(object);
  }
}
