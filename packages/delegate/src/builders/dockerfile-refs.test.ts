import { baseImagesOf } from './dockerfile-refs.js';

describe('baseImagesOf', () => {
  it('lists FROM images and skips stages and scratch', () => {
    const dockerfile = [
      '# syntax=docker/dockerfile:1',
      'FROM --platform=linux/amd64 registry.example.com:5000/base/node:20 AS build',
      'RUN npm ci',
      'FROM build AS test',
      'FROM scratch',
      'COPY --from=build /app /app',
      'COPY --from=quay.io/tools/jq:1.7 /usr/bin/jq /usr/bin/jq',
    ].join('\n');
    expect(baseImagesOf(dockerfile, {}).images).toEqual(['registry.example.com:5000/base/node:20', 'quay.io/tools/jq:1.7']);
  });

  it('substitutes ARG defaults and lets build args override them', () => {
    const dockerfile = 'ARG REGISTRY=127.0.0.1:5000\nARG TAG="1.35"\nFROM ${REGISTRY}/kiln/busybox:$TAG\n';
    expect(baseImagesOf(dockerfile, {}).images).toEqual(['127.0.0.1:5000/kiln/busybox:1.35']);
    expect(baseImagesOf(dockerfile, { TAG: '1.36' }).images).toEqual(['127.0.0.1:5000/kiln/busybox:1.36']);
  });

  it('joins continuation lines', () => {
    expect(baseImagesOf('FROM \\\n  alpine:3.20\n', {}).images).toEqual(['alpine:3.20']);
  });

  it('reports a FROM whose argument has no value as unresolved', () => {
    const result = baseImagesOf('ARG BASE\nFROM $BASE\n', {});
    expect(result.images).toEqual([]);
    expect(result.unresolved).toEqual(['FROM $BASE']);
  });
});
