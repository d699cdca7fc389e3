import { toTemplateExample } from './exampleYaml';

// The product, account, region, owner and component come from the RFC the
// execution carries out; the step names the stack and maps the form's values
// to the product's parameters.
export const examples = [
  toTemplateExample(
    'Provision an EC2 Linux stack in the execution of the approved RFC',
    {
      id: 'provision',
      name: 'Provision the stack',
      action: 'aws:servicecatalog:provision',
      if: '${{ steps.rfc.output.execution }}',
      input: {
        provisionedProductName:
          '${{ parameters.stackName }}-${{ parameters.environment }}',
        parameters: {
          InstanceType: '${{ parameters.instanceType }}',
          DesiredCapacity: '${{ parameters.desiredCapacity }}',
        },
        costCenter: '${{ parameters.costCenter }}',
        environment: '${{ parameters.environment }}',
      },
    },
  ),
  toTemplateExample('Provision an S3 bucket with an extra tag', {
    id: 'provision',
    name: 'Provision the bucket',
    action: 'aws:servicecatalog:provision',
    if: '${{ steps.rfc.output.execution }}',
    input: {
      provisionedProductName: 'storefront-assets-prod',
      parameters: { BucketName: 'storefront-assets-prod', Versioning: true },
      costCenter: 'CC-1001',
      environment: 'prod',
      tags: { 'data-classification': 'public' },
    },
  }),
];
