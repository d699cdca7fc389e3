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
      parameters: { instanceType: 't3.small', environment: 'dev' },
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
        parameters: { dbInstanceClass: 'db.t4g.medium' },
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
