// Finds the code examples of README.md and docs/*.md and turns each into a
// module that the TypeScript compiler and tsx can take, remembering where in
// the Markdown it came from.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** Info-string languages whose blocks are compiled. */
const LANGUAGES: Record<string, 'ts' | 'js'> = { ts: 'ts', typescript: 'ts', js: 'js', javascript: 'js' };

export interface Example {
  /** Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in `file`. */
  line: number;
  language: 'ts' | 'js';
  /** Executed (`run` in the info string) as well as type-checked. */
  run: boolean;
  /** `no-check` in the info string: neither compiled nor run. */
  skip: boolean;
  code: string;
}

/** README.md and every docs/*.md (not the generated docs/api/). */
export function markdownFiles(root: string): string[] {
  const docs = readdirSync(path.join(root, 'docs'), { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.md'))
    .map((e) => path.join('docs', e.name))
    .sort();
  return ['README.md', ...docs];
}

/** The fenced code blocks of one Markdown file in the languages above. */
export function extractExamples(root: string, file: string): Example[] {
  const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
  const examples: Example[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^ {0,3}(`{3,}|~{3,})\s*(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const fence = open[1]!;
    const [lang = '', ...flags] = open[2]!.trim().split(/\s+/);
    const start = i + 1;
    let end = start;
    while (end < lines.length && !isClosingFence(lines[end]!, fence)) end++;
    const language = LANGUAGES[lang.toLowerCase()];
    if (language !== undefined) {
      examples.push({
        file,
        line: start + 1,
        language,
        run: flags.includes('run'),
        skip: flags.includes('no-check'),
        code: lines.slice(start, end).join('\n'),
      });
    }
    i = end; // whatever the language, nothing inside a block opens another
  }
  return examples;
}

function isClosingFence(line: string, fence: string): boolean {
  const m = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(line);
  return m !== null && m[1]![0] === fence[0] && m[1]!.length >= fence.length;
}

/** A file name for the example that says where it came from: `docs-heartbeat.md-L42.ts`. */
export function moduleName(example: Example): string {
  return `${example.file.replace(/[\\/]/g, '-')}-L${example.line}.${example.language === 'ts' ? 'ts' : 'js'}`;
}

/**
 * Writes the example as a module. One without an import or export gets an
 * `export {}` at the end (after its last line, so line numbers stay true):
 * each example has its own scope and may use top-level await.
 */
export function writeExample(dir: string, example: Example): string {
  const file = path.join(dir, moduleName(example));
  const isModule = /^\s*(import|export)\b/m.test(example.code);
  writeFileSync(file, isModule ? `${example.code}\n` : `${example.code}\nexport {};\n`);
  return file;
}

/**
 * `paths` that resolve `hostwire` and each `hostwire/<module>` exactly as
 * package.json exports them, but to the TypeScript source
 * (`./dist/dgram/index.d.ts` → `src/dgram/index.ts`). Subpaths the package
 * does not export do not resolve, as for a user.
 */
export function sourcePaths(root: string): Record<string, string[]> {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    name: string;
    exports: Record<string, string | { types?: string }>;
  };
  const paths: Record<string, string[]> = {};
  for (const [subpath, target] of Object.entries(pkg.exports)) {
    const types = typeof target === 'string' ? undefined : target.types;
    if (types === undefined) continue;
    const source = types.replace(/^\.\/dist\//, 'src/').replace(/\.d\.ts$/, '.ts');
    paths[path.posix.join(pkg.name, subpath)] = [path.join(root, source)];
  }
  return paths;
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces as hyphens. */
export function headingAnchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
}

/** The anchors of a Markdown file's headings (outside code blocks). */
export function anchors(root: string, file: string): Set<string> {
  const result = new Set<string>();
  let fence: string | null = null;
  for (const line of readFileSync(path.join(root, file), 'utf8').split('\n')) {
    const f = /^ {0,3}(`{3,}|~{3,})/.exec(line);
    if (f !== null) {
      if (fence === null) fence = f[1]!;
      else if (f[1]![0] === fence[0] && f[1]!.length >= fence.length && /^ {0,3}(`{3,}|~{3,})\s*$/.test(line)) fence = null;
      continue;
    }
    const h = fence === null ? /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line) : null;
    if (h !== null) result.add(headingAnchor(h[1]!));
  }
  return result;
}

/** Relative links of a Markdown file (`[text](target)`), with the line they are on; code spans and blocks skipped. */
export function relativeLinks(root: string, file: string): { line: number; target: string }[] {
  const links: { line: number; target: string }[] = [];
  let inBlock = false;
  readFileSync(path.join(root, file), 'utf8')
    .split('\n')
    .forEach((text, i) => {
      if (/^ {0,3}(`{3,}|~{3,})/.test(text)) inBlock = !inBlock;
      if (inBlock) return;
      for (const m of text.replace(/`[^`]*`/g, '').matchAll(/\]\(([^)\s]+)\)/g)) {
        if (!/^[a-z]+:/i.test(m[1]!)) links.push({ line: i + 1, target: m[1]! });
      }
    });
  return links;
}
