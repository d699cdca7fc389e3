import { toTemplateExample } from './exampleYaml';

export const examples = [
  toTemplateExample('Wait for the RFC recorded by an earlier step', {
    id: 'approval',
    name: 'Wait for approval',
    action: 'ops:rfc:await-approval',
    input: { rfcId: '${{ steps.rfc.output.rfcId }}' },
  }),
  toTemplateExample('Wait for a known RFC', {
    id: 'approval',
    name: 'Wait for approval',
    action: 'ops:rfc:await-approval',
    input: { rfcId: 'RFC-000123' },
  }),
];
