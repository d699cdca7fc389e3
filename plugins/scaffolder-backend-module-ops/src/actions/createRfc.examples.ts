import { toTemplateExample } from './exampleYaml';

export const examples = [
  toTemplateExample('Record and submit an RFC for an automated EC2 stack', {
    id: 'rfc',
    name: 'Record the RFC',
    action: 'ops:rfc:create',
    input: {
      changeTypeId: 'ec2-linux-stack',
      title: 'EC2 stack for storefront',
      targetEntityRef: 'component:default/storefront',
      parameters: {
        owner: 'group:default/web',
        component: 'component:default/storefront',
        environment: 'dev',
        costCenter: 'CC-1001',
        stackName: 'shop',
        instanceType: 't3.small',
        desiredCapacity: 2,
      },
    },
  }),
  toTemplateExample(
    'Record an RFC with its plans and a requested start time, without submitting it yet',
    {
      id: 'rfc',
      name: 'Record the RFC',
      action: 'ops:rfc:create',
      input: {
        changeTypeId: 'rds-postgres',
        title: 'Ledger database',
        description: 'PostgreSQL for the payments ledger',
        targetEntityRef: 'component:default/payments-ledger',
        parameters: {
          owner: 'group:default/payments',
          component: 'component:default/payments-ledger',
          environment: 'prod',
          costCenter: 'CC-2002',
          databaseName: 'ledger',
          dbInstanceClass: 'db.t4g.medium',
          allocatedStorage: 100,
        },
        implementationPlan: 'Provision the RDS product from Service Catalog',
        testPlan: 'Connect from the ledger job in staging',
        rollbackPlan: 'Terminate the provisioned product',
        risk: 'medium',
        requestedStartTime: '2030-01-15T09:00:00Z',
        submit: false,
      },
    },
  ),
];
