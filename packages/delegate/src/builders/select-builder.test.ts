import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pino } from 'pino';
import type { BuilderConfig } from '../config/delegate-config.js';
import { selectBuilder } from './select-builder.js';

const LOGGER = pino({ level: 'silent' });

describe('selectBuilder', () => {
  let dir: string;
  let fakeKaniko: string;

  beforeAll(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'kiln-select-builder-'));
    // A stand-in for the kaniko executor, which cannot be downloaded here: it only prints a version for `version`.
    fakeKaniko = path.join(dir, 'executor');
    await writeFile(fakeKaniko, '#!/bin/sh\necho "Kaniko version : v1.25.4"\n', { mode: 0o755 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function config(overrides: Partial<BuilderConfig>): BuilderConfig {
    return { type: 'auto', path: 'buildah', kanikoPath: fakeKaniko, storageDriver: 'vfs', isolation: 'chroot', ...overrides };
  }

  it('picks kaniko in auto mode when its executor exists', async () => {
    const selected = await selectBuilder(config({}), dir, { registries: {} }, LOGGER);
    expect(selected).toMatchObject({ type: 'kaniko', version: '1.25.4', path: fakeKaniko });
    expect(selected.builder.name).toBe('kaniko');
  });

  it('falls back to buildah in auto mode without a kaniko executor', async () => {
    const selected = await selectBuilder(config({ kanikoPath: path.join(dir, 'missing') }), dir, { registries: {} }, LOGGER);
    expect(selected.type).toBe('buildah');
    expect(selected.version).toMatch(/^\d+\.\d+/);
  });

  it('reports version unknown for a configured builder that cannot run', async () => {
    const selected = await selectBuilder(config({ type: 'buildah', path: path.join(dir, 'no-buildah') }), dir, { registries: {} }, LOGGER);
    expect(selected).toMatchObject({ type: 'buildah', version: 'unknown' });
  });
});
