// The packed tarball must install and work where no compiler exists.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync, writeFileSync, copyFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { fixturesDir } from '../helpers/child.js';
import { tempDir } from '../helpers/tmp.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TOOLS_A_BUILD_NEEDS = ['g++', 'gcc', 'cc', 'c++', 'make', 'python3', 'python'];

function onPath(tool: string, PATH: string): boolean {
  return PATH.split(':').some((dir) => existsSync(path.join(dir, tool)));
}

describe('npm pack → install with no compiler', () => {
  it('the tarball carries prebuilds/linux-x64 and installs and sends a datagram with no g++, make or python3', () => {
    const work = tempDir('hostwire-pack-');

    // Pack from a copy so the prepack rebuild never touches the build/ other tests are loading.
    const src = path.join(work, 'src');
    for (const entry of ['package.json', 'binding.gyp', 'tsconfig.json', 'tsconfig.build.json', 'native', 'src', 'README.md']) {
      if (existsSync(path.join(repo, entry))) cpSync(path.join(repo, entry), path.join(src, entry), { recursive: true });
    }
    symlinkSync(path.join(repo, 'node_modules'), path.join(src, 'node_modules'));
    const packed = execFileSync('npm', ['pack', '--json', '--pack-destination', work], {
      cwd: src,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Build logs share stdout with npm's JSON report, which comes last.
    const report = packed.slice(packed.search(/^\[\s*\{/m));
    const [info] = JSON.parse(report) as [{ filename: string; files: { path: string }[] }];
    const files = info.files.map((f) => f.path);
    expect(files).toContain('prebuilds/linux-x64/hostwire.node');
    expect(files).toContain('dist/index.js');
    expect(files).toContain('binding.gyp');
    const tarball = path.join(work, info.filename);

    // A PATH holding only node, npm and a shell.
    const bin = path.join(work, 'bin');
    mkdirSync(bin);
    for (const tool of ['node', 'npm', 'sh']) {
      const target = execFileSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).trim();
      symlinkSync(target, path.join(bin, tool));
    }
    for (const tool of TOOLS_A_BUILD_NEEDS) expect(onPath(tool, bin), `${tool} must not be reachable`).toBe(false);

    const app = path.join(work, 'app');
    mkdirSync(app);
    writeFileSync(path.join(app, 'package.json'), JSON.stringify({ name: 'app', private: true, type: 'module', allowScripts: { hostwire: true } }));
    const env = { ...process.env, PATH: bin, npm_config_nodedir: '/nonexistent-no-headers' };
    // allowScripts runs hostwire's install script too: with a prebuild it must not try to compile.
    execFileSync('npm', ['install', '--no-audit', '--no-fund', tarball], {
      cwd: app,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const installed = path.join(app, 'node_modules', 'hostwire');
    expect(existsSync(path.join(installed, 'build'))).toBe(false);
    expect(readdirSync(path.join(installed, 'prebuilds', 'linux-x64'))).toContain('hostwire.node');

    copyFileSync(path.join(fixturesDir, 'installed-smoke.mjs'), path.join(app, 'smoke.mjs'));
    const out = execFileSync('node', ['smoke.mjs'], { cwd: app, env, encoding: 'utf8' });
    const result = JSON.parse(out) as { text: string; pid: number; loaded: string };
    expect(result.text).toBe('from the tarball');
    expect(result.pid).toBeGreaterThan(0);
    expect(result.loaded).toContain(path.join('prebuilds', 'linux-x64'));
  }, 240_000);
});
