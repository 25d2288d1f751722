/** YAML fixtures shared by the tests. */
export const QUICKSTART = `pipeline:
  name: CI Quickstart
  identifier: CI_Quickstart
  properties:
    ci:
      codebase:
        connectorRef: account.kiln_samples
        repoName: sample-app
        build: <+input>
  stages:
    - stage:
        name: Build Test and Push
        identifier: Build_Test_and_Push
        type: CI
        spec:
          cloneCodebase: true
          execution:
            steps:
              - step:
                  type: BuildAndPushDockerRegistry
                  name: Build and push image to DockerHub
                  identifier: Build_and_push_image_to_DockerHub
                  spec:
                    connectorRef: account.local_registry
                    repo: 127.0.0.1:5000/kiln/ciquickstart
                    tags:
                      - <+pipeline.sequenceId>
          infrastructure:
            type: KubernetesDirect
            spec:
              connectorRef: account.kiln_delegate
              namespace: kiln-builds
          serviceDependencies: []
  projectIdentifier: CI_Quickstart
  orgIdentifier: default
`;

export const CONNECTORS = `connector:
  name: Samples
  identifier: kiln_samples
  type: Git
  spec:
    url: file:///srv/git
    connectionType: Account
    type: Http
---
connector:
  name: Local registry
  identifier: local_registry
  type: DockerRegistry
  spec:
    dockerRegistryUrl: http://127.0.0.1:5000
    providerType: Other
    auth:
      type: UsernamePassword
      spec: { username: kiln, passwordRef: account.local_registry_password }
---
connector:
  name: Local delegates
  identifier: kiln_delegate
  type: K8sCluster
  spec:
    credential: { type: InheritFromDelegate }
    delegateSelectors: [local]
`;

/** Indents every line of `text` by `spaces` spaces. */
export function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line === '' ? line : pad + line))
    .join('\n');
}

/** A pipeline with one CI stage whose `execution.steps` is `steps` (YAML list text at indent 0). */
export function pipelineWithSteps(steps: string, extra: { pipeline?: string; stage?: string } = {}): string {
  return `pipeline:
  name: Test
  identifier: Test
${indent(extra.pipeline ?? '', 2)}
  properties:
    ci:
      codebase:
        connectorRef: account.kiln_samples
        repoName: sample-app
        build: <+input>
  stages:
    - stage:
        name: Build
        identifier: Build
        type: CI
${indent(extra.stage ?? '', 8)}
        spec:
          cloneCodebase: true
          infrastructure:
            type: KubernetesDirect
            spec:
              connectorRef: account.kiln_delegate
              namespace: kiln-builds
          execution:
            steps:
${indent(steps, 14)}
`;
}

/** A pipeline whose `stages` list is `stages` (YAML list text at indent 0). */
export function pipelineWithStages(stages: string, header = ''): string {
  return `pipeline:
  name: Test
  identifier: Test
${indent(header, 2)}
  stages:
${indent(stages, 4)}
`;
}

/** A Run step in YAML list form. */
export function runStep(identifier: string, command: string, more = ''): string {
  return `- step:
    type: Run
    name: ${identifier}
    identifier: ${identifier}
    spec:
      command: ${command}
${indent(more, 6)}`;
}

/** Finds the `»` marker, removes it and returns the text with the marker's 1-based line and column. */
export function locateMarker(marked: string): { text: string; line: number; column: number } {
  const offset = marked.indexOf('»');
  if (offset < 0) throw new Error('no » marker in the test YAML');
  const before = marked.slice(0, offset).split('\n');
  return { text: marked.replace('»', ''), line: before.length, column: (before[before.length - 1] ?? '').length + 1 };
}
