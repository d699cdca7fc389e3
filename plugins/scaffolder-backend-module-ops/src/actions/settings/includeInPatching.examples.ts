import { executionStepExample } from './settingsAction';

export const examples = [
  executionStepExample(
    'Include the stack in patching again in the run that carries out the RFC',
    {
      id: 'include',
      name: 'Include the stack in patching',
      action: 'aws:ssm:include-in-patching',
    },
  ),
];
