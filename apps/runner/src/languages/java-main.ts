// Which class to launch and how to name the file, read from the candidate's Java source (host side, text only).
// javac needs a public class in a file of its name; the launcher needs the class that has `main`. A small lexer
// drops comments, strings, text blocks and char literals, then top-level declarations are read by brace depth.

export interface JavaSourceInfo {
  packageName: string | null;
  /** The public top-level type, if any (its file must be named after it). */
  publicType: string | null;
  /** The top-level type that declares `static void main`, else the first top-level type. */
  mainType: string | null;
}

function stripNonCode(source: string): string {
  let out = '';
  let i = 0;
  while (i < source.length) {
    const c = source[i]!;
    const next = source[i + 1];
    if (c === '/' && next === '/') {
      while (i < source.length && source[i] !== '\n') i++;
    } else if (c === '/' && next === '*') {
      i += 2;
      while (i < source.length && !(source[i] === '*' && source[i + 1] === '/')) i++;
      i += 2;
      out += ' ';
    } else if (source.startsWith('"""', i)) {
      i += 3;
      while (i < source.length && !source.startsWith('"""', i)) i += source[i] === '\\' ? 2 : 1;
      i += 3;
      out += '""';
    } else if (c === '"' || c === "'") {
      i++;
      while (i < source.length && source[i] !== c && source[i] !== '\n') i += source[i] === '\\' ? 2 : 1;
      i++;
      out += '""';
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

export function readJavaSource(source: string): JavaSourceInfo {
  const code = stripNonCode(source);
  const packageName = /^\s*package\s+([\w.]+)\s*;/m.exec(code)?.[1] ?? null;
  const tokens = code.match(/[A-Za-z_$][\w$]*|[{}();]|\S/g) ?? [];
  let depth = 0;
  let publicType: string | null = null;
  let firstType: string | null = null;
  let mainType: string | null = null;
  let current: string | null = null; // the top-level type whose body we are in
  let pendingPublic = false;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t === '{') depth++;
    else if (t === '}') {
      depth--;
      if (depth === 0) current = null;
    } else if (depth === 0) {
      if (t === 'public') pendingPublic = true;
      else if (t === ';') pendingPublic = false;
      else if ((t === 'class' || t === 'interface' || t === 'enum' || t === 'record') && /^[A-Za-z_$]/.test(tokens[i + 1] ?? '')) {
        const name = tokens[i + 1]!;
        firstType ??= name;
        if (pendingPublic) publicType ??= name;
        pendingPublic = false;
        current = name;
      }
    } else if (current && !mainType && t === 'main' && tokens[i + 1] === '(' && tokens[i - 1] === 'void') {
      // `static` somewhere before `void` among the modifiers of this member.
      for (let j = i - 2; j >= 0 && j >= i - 6; j--) {
        if (tokens[j] === 'static') {
          mainType = current;
          break;
        }
        if (tokens[j] === ';' || tokens[j] === '{' || tokens[j] === '}') break;
      }
    }
  }
  return { packageName, publicType, mainType: mainType ?? firstType };
}
