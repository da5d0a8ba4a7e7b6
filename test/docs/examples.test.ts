// Every code example in README.md and docs/*.md compiles against the API as a
// user's strict project would compile it, and the short ones marked `run`
// (```ts run) exit 0 when executed, so examples cannot drift from the API.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import ts from 'typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anchors, extractExamples, markdownFiles, moduleName, relativeLinks, sourcePaths, writeExample, type Example } from './examples.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
const RUN_TIMEOUT_MS = 20_000;

const examples = markdownFiles(root).flatMap((file) => extractExamples(root, file));
const checked = examples.filter((e) => !e.skip);
const runnable = checked.filter((e) => e.run);

let dir: string;
let tsconfig: string;
const modules = new Map<string, Example>();

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'hostwire-doc-examples-'));
  // ESM, as package.json's "type" makes it for the package itself.
  writeFileSync(path.join(dir, 'package.json'), '{ "type": "module" }\n');
  for (const example of checked) modules.set(path.resolve(writeExample(dir, example)), example);
  tsconfig = path.join(dir, 'tsconfig.json');
  writeFileSync(
    tsconfig,
    JSON.stringify({
      extends: path.join(root, 'test/docs/tsconfig.examples.json'),
      compilerOptions: { paths: sourcePaths(root) },
      files: [...modules.keys()],
    }),
  );
});

afterAll(() => {
  if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
});

/** `docs/x.md:12: TS2305: …` for a diagnostic inside an example, else the compiler's own location. */
function describeDiagnostic(d: ts.Diagnostic): string {
  const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file === undefined || d.start === undefined) return `TS${d.code}: ${message}`;
  const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
  const example = modules.get(path.resolve(d.file.fileName));
  const where =
    example === undefined
      ? `${path.relative(root, d.file.fileName)}:${line + 1}:${character + 1}`
      : `${example.file}:${example.line + line}:${character + 1}`;
  return `${where}: TS${d.code}: ${message}`;
}

describe('documentation examples', () => {
  it('finds the examples, each capability page has some, and a few are run', () => {
    const files = new Set(checked.map((e) => e.file));
    for (const page of ['README.md', 'docs/dgram.md', 'docs/heartbeat.md', 'docs/routing.md', 'docs/machines.md', 'docs/ipc.md']) {
      expect(files, `${page} has no checked example`).toContain(page);
    }
    expect(runnable.length).toBeGreaterThanOrEqual(3);
    // Every example has a distinct module name, so none overwrites another.
    expect(new Set(checked.map(moduleName)).size).toBe(checked.length);
  });

  it('links between the pages point at files and headings that exist', () => {
    const broken: string[] = [];
    for (const file of markdownFiles(root)) {
      for (const { line, target } of relativeLinks(root, file)) {
        const [pathPart = '', anchor] = target.split('#');
        const linked = pathPart === '' ? file : path.join(path.dirname(file), pathPart);
        if (!existsSync(path.join(root, linked))) broken.push(`${file}:${line}: ${target}: no such file`);
        else if (anchor !== undefined && linked.endsWith('.md') && !anchors(root, linked).has(anchor)) {
          broken.push(`${file}:${line}: ${target}: no such heading`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('type-checks every example against the API', () => {
    const parsed = ts.getParsedCommandLineOfConfigFile(
      tsconfig,
      {},
      {
        ...ts.sys,
        onUnRecoverableConfigFileDiagnostic: (d) => {
          throw new Error(describeDiagnostic(d));
        },
      },
    );
    if (parsed === undefined) throw new Error(`cannot read ${tsconfig}`);
    expect(parsed.errors.map(describeDiagnostic)).toEqual([]);
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    const problems = ts.getPreEmitDiagnostics(program).map(describeDiagnostic);
    expect(problems, `examples that do not compile:\n${problems.join('\n')}`).toEqual([]);
  });

  it.each(runnable.map((e) => [`${e.file}:${e.line}`, e] as const))('runs %s', async (_where, example) => {
    // A fresh working directory each: examples create sockets and stores beside them.
    const cwd = mkdtempSync(path.join(tmpdir(), 'hostwire-doc-run-'));
    try {
      const child = spawn(process.execPath, ['--import', tsxLoader, path.join(dir, moduleName(example))], {
        cwd,
        env: { ...process.env, TSX_TSCONFIG_PATH: tsconfig },
        stdio: ['ignore', 'pipe', 'pipe'],
        timeout: RUN_TIMEOUT_MS,
      });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (d: string) => (output += d));
      child.stderr.setEncoding('utf8').on('data', (d: string) => (output += d));
      const [code, signal] = (await once(child, 'exit')) as [number | null, NodeJS.Signals | null];
      expect({ code, signal }, `${example.file}:${example.line} printed:\n${output}`).toEqual({ code: 0, signal: null });
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });
});
