import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    'Back up the stack once in the run that carries out the RFC',
    {
      id: 'snapshot',
      name: 'Take a snapshot',
      action: 'aws:backup:take-snapshot',
    },
  ),
];
