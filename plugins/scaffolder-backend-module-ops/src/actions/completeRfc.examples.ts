import { toTemplateExample } from './exampleYaml';

export const examples = [
  toTemplateExample('Close the RFC as successful with the stack it made', {
    id: 'complete',
    name: 'Close the RFC',
    action: 'ops:rfc:complete',
    input: {
      rfcId: '${{ steps.rfc.output.rfcId }}',
      outcome: 'Success',
      outcomeNotes:
        'Provisioned ${{ steps.provision.output.provisionedProductId }}',
    },
  }),
  toTemplateExample('Close an RFC as failed', {
    id: 'complete',
    name: 'Close the RFC',
    action: 'ops:rfc:complete',
    input: {
      rfcId: 'RFC-000123',
      outcome: 'Failure',
      outcomeNotes: 'The snapshot could not be restored',
    },
  }),
];
