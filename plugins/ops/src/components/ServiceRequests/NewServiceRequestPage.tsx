import { InfoCard, LinkButton } from '@backstage/core-components';
import { identityApiRef, useApi } from '@backstage/core-plugin-api';
import { humanizeEntityRef } from '@backstage/plugin-catalog-react';
import { parseEntityRef } from '@backstage/catalog-model';
import {
  SERVICE_REQUEST_TOPICS,
  type ServiceRequestTopic,
} from '@cloud-ops/plugin-ops-common';
import Box from '@material-ui/core/Box';
import Button from '@material-ui/core/Button';
import Grid from '@material-ui/core/Grid';
import MenuItem from '@material-ui/core/MenuItem';
import TextField from '@material-ui/core/TextField';
import Typography from '@material-ui/core/Typography';
import Alert from '@material-ui/lab/Alert';
import { FormEvent, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router-dom';
import useAsync from 'react-use/esm/useAsync';
import { opsApiRef } from '../../api';
import { useOpsLinks } from '../../hooks/useOpsLinks';
import { errorMessage } from '../shared/errors';
import { TOPIC_LABELS } from './labels';

/** The group refs among the signed-in user's ownership refs. */
export function groupsOf(ownershipEntityRefs: string[]): string[] {
  return ownershipEntityRefs.filter(ref =>
    ref.toLocaleLowerCase('en-US').startsWith('group:'),
  );
}

/** A readable name of a group ref. */
const groupName = (ref: string) => {
  try {
    return humanizeEntityRef(parseEntityRef(ref), { defaultKind: 'group' });
  } catch {
    return ref;
  }
};

/** Ask Central IT a question, optionally about one entity. */
export const NewServiceRequestPage = () => {
  const opsApi = useApi(opsApiRef);
  const identityApi = useApi(identityApiRef);
  const links = useOpsLinks();
  const navigate = useNavigate();
  const [search] = useSearchParams();
  const [title, setTitle] = useState('');
  const [topic, setTopic] = useState<ServiceRequestTopic | ''>('');
  const [team, setTeam] = useState('');
  const [entityRef, setEntityRef] = useState(search.get('entity') ?? '');
  const [body, setBody] = useState('');
  const [sending, setSending] = useState(false);
  const [failure, setFailure] = useState<string>();
  const groups = useAsync(async () => {
    const identity = await identityApi.getBackstageIdentity();
    return groupsOf(identity.ownershipEntityRefs);
  }, [identityApi]);
  const severalTeams = (groups.value?.length ?? 0) > 1;

  const ready = title.trim() && topic && body.trim() && (!severalTeams || team);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!ready || !topic) return;
    setSending(true);
    setFailure(undefined);
    try {
      const created = await opsApi.createServiceRequest({
        title: title.trim(),
        topic,
        body: body.trim(),
        ...(severalTeams && team ? { team } : {}),
        ...(entityRef.trim() ? { entityRef: entityRef.trim() } : {}),
      });
      navigate(links.serviceRequest(created.id));
    } catch (err: any) {
      setFailure(errorMessage(err));
      setSending(false);
    }
  };

  return (
    <Grid container spacing={3}>
      <Grid item xs={12} md={8}>
        <InfoCard title="New service request">
          <form onSubmit={submit} aria-label="New service request">
            {failure && (
              <Box mb={2}>
                <Alert severity="error" data-testid="service-request-failure">
                  Could not send the request: {failure}
                </Alert>
              </Box>
            )}
            <TextField
              id="service-request-title"
              label="Title"
              helperText="One line that says what you need to know."
              value={title}
              onChange={e => setTitle(e.target.value)}
              fullWidth
              required
              margin="normal"
              variant="outlined"
              inputProps={{ maxLength: 200 }}
            />
            <TextField
              select
              id="service-request-topic"
              label="Topic"
              value={topic}
              onChange={e => setTopic(e.target.value as ServiceRequestTopic)}
              fullWidth
              required
              margin="normal"
              variant="outlined"
            >
              {SERVICE_REQUEST_TOPICS.map(t => (
                <MenuItem key={t} value={t}>
                  {TOPIC_LABELS[t]}
                </MenuItem>
              ))}
            </TextField>
            {severalTeams && (
              <TextField
                select
                id="service-request-team"
                label="Team"
                helperText="You belong to several teams; which one asks?"
                value={team}
                onChange={e => setTeam(e.target.value)}
                fullWidth
                required
                margin="normal"
                variant="outlined"
              >
                {groups.value!.map(g => (
                  <MenuItem key={g} value={g}>
                    {groupName(g)}
                  </MenuItem>
                ))}
              </TextField>
            )}
            <TextField
              id="service-request-entity"
              label="Entity (optional)"
              placeholder="component:default/payments-api"
              helperText="The component or resource the question is about, if any."
              value={entityRef}
              onChange={e => setEntityRef(e.target.value)}
              fullWidth
              margin="normal"
              variant="outlined"
            />
            <TextField
              id="service-request-body"
              label="Question"
              value={body}
              onChange={e => setBody(e.target.value)}
              multiline
              minRows={6}
              fullWidth
              required
              margin="normal"
              variant="outlined"
            />
            <Box display="flex" mt={2} style={{ gap: 12 }}>
              <Button
                type="submit"
                variant="contained"
                color="primary"
                disabled={sending || !ready}
              >
                Send request
              </Button>
              <LinkButton to={links.serviceRequests}>Cancel</LinkButton>
            </Box>
          </form>
        </InfoCard>
      </Grid>
      <Grid item xs={12} md={4}>
        <InfoCard title="How it works">
          <Typography variant="body2" paragraph>
            Central IT answers in the thread of the request, and you can reply
            in turn until either side closes it.
          </Typography>
          <Typography variant="body2">
            To change something in your environment, create an RFC instead.
          </Typography>
        </InfoCard>
      </Grid>
    </Grid>
  );
};
