import { toTemplateExample } from './exampleYaml';

export const examples = [
  toTemplateExample(
    "Watch a pre-approved change's execution from the person's run, for at most five minutes",
    {
      id: 'follow',
      name: 'Follow the execution',
      action: 'ops:rfc:follow',
      if: '${{ not steps.rfc.output.execution }}',
      input: {
        rfcId: '${{ steps.rfc.output.rfcId }}',
        timeoutMinutes: 5,
      },
    },
  ),
];
