import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    'Exclude the stack from patching in the run that carries out the RFC',
    {
      id: 'exclude',
      name: 'Exclude the stack from patching',
      action: 'aws:ssm:exclude-from-patching',
    },
  ),
];
