import { FakeAwsEndpoint } from '../__testUtils__/fakeAwsEndpoint';
import {
  expectedMessage,
  FAULT_LOCATION,
  FAULT_REQUEST_TIMEOUT_MS,
  FaultScenario,
  runWithoutFaults,
  runWriterFault,
  writerFaultCases,
} from '../__testUtils__/writerFaults';
import { AwsServiceCatalogGateway } from './AwsServiceCatalogGateway';

/**
 * ProvisionProduct and the DescribeRecord poll under throttling, access
 * denied, a timeout and a malformed answer, through the real SDK client
 * against a scripted endpoint: the call fails naming the AWS call with
 * AWS's code and message; ProvisionProduct is retried only with the same
 * ProvisionToken, which makes AWS answer a repeat with the first record.
 */

const request = {
  ...FAULT_LOCATION,
  productId: 'prod-abc123',
  provisioningArtifactId: 'pa-def456',
  provisionedProductName: 'storefront-dev-app',
  provisionToken: 'ops-RFC-000042-a1',
  parameters: { InstanceType: 't3.small' },
  tags: [{ Key: 'cloud-ops.io/rfc', Value: 'RFC-000042' }],
};
const RECORD = {
  RecordId: 'rec-1',
  ProvisionedProductId: 'pp-1',
  ProvisionedProductName: 'storefront-dev-app',
  Status: 'IN_PROGRESS',
};

const gateway = (clients: Parameters<FaultScenario['run']>[0]) =>
  new AwsServiceCatalogGateway({ clients });

const SCENARIOS: FaultScenario[] = [
  {
    name: 'provisionProduct',
    run: clients => gateway(clients).provisionProduct(request),
    steps: [
      {
        operation: 'servicecatalog:ProvisionProduct',
        ok: { json: { RecordDetail: RECORD } },
        write: {
          kind: 'token',
          token: { field: 'ProvisionToken', value: request.provisionToken },
          done: [],
          required: {
            field: 'RecordDetail.RecordId',
            answer: { json: { RecordDetail: { Status: 'CREATED' } } },
          },
        },
      },
    ],
  },
  {
    name: 'describeRecord',
    run: clients =>
      gateway(clients).describeRecord({ ...FAULT_LOCATION, recordId: 'rec-1' }),
    steps: [
      {
        operation: 'servicecatalog:DescribeRecord',
        ok: { json: { RecordDetail: RECORD, RecordOutputs: [] } },
        write: {
          kind: 'read',
          done: [],
          required: {
            field: 'RecordDetail.RecordId',
            answer: { json: { RecordOutputs: [] } },
          },
        },
      },
    ],
  },
];

const aws = new FakeAwsEndpoint();
const clients = () =>
  aws.clients({ requestTimeoutMs: FAULT_REQUEST_TIMEOUT_MS });

beforeAll(async () => {
  await aws.start();
  // The SDK's backoff is Math.random() times a base: retries without waiting.
  jest.spyOn(Math, 'random').mockReturnValue(0);
});
afterAll(async () => {
  jest.restoreAllMocks();
  await aws.stop();
});

describe.each(SCENARIOS)('AwsServiceCatalogGateway.$name', scenario => {
  it('makes exactly the calls the fault cases fail, when nothing fails', async () => {
    await expect(runWithoutFaults(aws, scenario, clients())).resolves.toEqual(
      expect.objectContaining({ recordId: 'rec-1', status: 'IN_PROGRESS' }),
    );
  });
});

describe.each(writerFaultCases(SCENARIOS))(
  'AwsServiceCatalogGateway.$name when $operation ($kind) meets $fault',
  c => {
    it('fails naming the call and what AWS said, and repeats it only if safe', async () => {
      const error = await runWriterFault(aws, c, clients());
      expect(error.message).toMatch(expectedMessage(c.step, c.fault));
    });
  },
);

describe('AwsServiceCatalogGateway in the main account', () => {
  it('says the call went to the main account when none is named', async () => {
    aws.reset();
    aws.on('servicecatalog:ProvisionProduct', {
      error: 'AccessDeniedException',
      message: 'not allowed',
      status: 403,
    });

    await expect(
      gateway(clients()).provisionProduct({ ...request, account: undefined }),
    ).rejects.toThrow(
      'servicecatalog:ProvisionProduct in eu-west-1 of the main account failed: AccessDeniedException: not allowed (allow servicecatalog:ProvisionProduct for the role the portal uses in the main account)',
    );
  });
});
