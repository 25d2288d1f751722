import { delegateSelectors, identifier } from './common-schemas.js';
import { any, bool, mapOf, object, oneOf, required, text, type Field, type ObjectSchema } from './types.js';

const dockerAuth = object(
  'registry auth',
  { type: required({ kind: 'string', expressions: false }) },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'auth type',
      code: 'INVALID_VALUE',
      schemas: {
        UsernamePassword: object('UsernamePassword auth spec', { username: text, usernameRef: text, passwordRef: required(text) }),
        Anonymous: undefined,
      },
      targetRequired: true,
    },
  },
);

const delegateFields = { delegateSelectors, executeOnDelegate: bool };

const dockerRegistry = object('DockerRegistry connector spec', {
  dockerRegistryUrl: required(text),
  providerType: oneOf('DockerHub', 'Harbor', 'Quay', 'Other'),
  auth: required(dockerAuth),
  ...delegateFields,
});

const gitHttp = object('Http credentials', { username: text, usernameRef: text, passwordRef: text, tokenRef: text });
const gitSsh = object('Ssh credentials', { sshKeyRef: required(text) });

const git = object(
  'Git connector spec',
  {
    url: required(text),
    connectionType: required(oneOf('Account', 'Repo')),
    type: { kind: 'string', expressions: false },
    validationRepo: text,
    branchName: text,
    ...delegateFields,
  },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'Git connection protocol',
      code: 'INVALID_VALUE',
      schemas: { Http: gitHttp, Ssh: gitSsh },
      targetRequired: false,
    },
  },
);

// Accepts both Harness's GitHub shape (`type: Account|Repo`, `authentication`, `apiAccess`)
// and the Git connector's shape (`connectionType`, `type: Http|Ssh`, `spec`).
const github = object('Github connector spec', {
  url: required(text),
  type: oneOf('Account', 'Repo', 'Http', 'Ssh'),
  connectionType: oneOf('Account', 'Repo'),
  validationRepo: text,
  authentication: any,
  apiAccess: any,
  spec: any,
  ...delegateFields,
});

const credential = object(
  'cluster credential',
  { type: required({ kind: 'string', expressions: false }) },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'credential type',
      code: 'INVALID_VALUE',
      schemas: {
        InheritFromDelegate: undefined,
        ManualConfig: object('ManualConfig credential spec', { masterUrl: required(text), auth: any }),
      },
      targetRequired: true,
    },
  },
);

const k8sCluster = object('K8sCluster connector spec', { credential: required(credential), delegateSelectors });

// Cloud connectors used by BuildAndPushECR, -GCR, -GAR and -ACR. The delegate reads the credential
// fields (accessKey, secretKeyRef, applicationId, auth.spec.secretRef, ...), so they stay open here.
function cloudConnector(title: string, credentialTypes: string[], extra: Record<string, Field> = {}): ObjectSchema {
  const cloudCredential = object(`${title} credential`, { type: required(oneOf(...credentialTypes)), spec: any, region: text });
  return object(title, { credential: required(cloudCredential), ...extra, ...delegateFields });
}

const aws = cloudConnector('Aws connector spec', ['ManualConfig', 'InheritFromDelegate', 'Irsa', 'OidcAuthentication']);
const gcp = cloudConnector('Gcp connector spec', ['ManualConfig', 'InheritFromDelegate', 'OidcAuthentication']);
const azure = cloudConnector('Azure connector spec', ['ManualConfig', 'InheritFromDelegate'], { azureEnvironmentType: oneOf('AZURE', 'AZURE_US_GOVERNMENT') });

export const CONNECTOR_SPECS: Record<string, ObjectSchema> = {
  DockerRegistry: dockerRegistry,
  Git: git,
  Github: github,
  K8sCluster: k8sCluster,
  Aws: aws,
  Gcp: gcp,
  Azure: azure,
};

export const connector: ObjectSchema = object(
  'connector',
  {
    name: required(text),
    identifier: required(identifier()),
    description: text,
    orgIdentifier: identifier(),
    projectIdentifier: identifier(),
    tags: mapOf('tags'),
    type: required({ kind: 'string', expressions: false }),
  },
  {
    variants: {
      discriminator: 'type',
      target: 'spec',
      noun: 'connector type',
      code: 'INVALID_VALUE',
      schemas: CONNECTOR_SPECS,
      targetRequired: true,
    },
  },
);
