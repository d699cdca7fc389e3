import { toTemplateExample } from './exampleYaml';

export const examples = [
  toTemplateExample('Provision an EC2 Linux stack for an approved RFC', {
    id: 'provision',
    name: 'Provision the stack',
    action: 'aws:servicecatalog:provision',
    input: {
      rfcId: '${{ steps.rfc.output.rfcId }}',
      productId: 'prod-sandboxec2linux',
      provisioningArtifactId: 'pa-sandboxec2linuxv1',
      provisionedProductName: 'storefront-dev-app',
      parameters: { InstanceType: 't3.small' },
      owner: 'group:default/web',
      entityRef: 'component:default/storefront',
      costCenter: 'CC-1001',
      environment: 'dev',
    },
  }),
  toTemplateExample(
    'Provision an S3 bucket in a named account and region with extra tags',
    {
      id: 'provision',
      name: 'Provision the bucket',
      action: 'aws:servicecatalog:provision',
      input: {
        rfcId: 'RFC-000042',
        productId: 'prod-sandboxs3bucket',
        provisioningArtifactId: 'pa-sandboxs3bucketv1',
        provisionedProductName: 'storefront-assets-prod',
        parameters: { BucketName: 'storefront-assets-prod', Versioning: true },
        owner: 'group:default/web',
        entityRef: 'component:default/storefront',
        costCenter: 'CC-1001',
        environment: 'prod',
        account: '444455556666',
        region: 'us-east-1',
        tags: { 'data-classification': 'public' },
      },
    },
  ),
];
