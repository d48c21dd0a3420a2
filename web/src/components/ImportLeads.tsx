import { Alert, Button, FileInput, Group, List, Modal, Progress, Select, Stack, Text } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { api, errorMessage, must, type Schemas } from '../api/client';

type Dedupe = 'update' | 'skip' | 'create';

/**
 * CSV import of leads. The import runs within its request; while it runs, the list of running
 * imports gives its progress (the server writes processed_rows as it goes).
 */
export function ImportLeads({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const queryClient = useQueryClient();
  const [file, setFile] = useState<File | null>(null);
  const [dedupe, setDedupe] = useState<Dedupe>('update');
  const run = useMutation({
    mutationFn: async (): Promise<Schemas['Import']> => {
      const csv = await (file as File).text();
      return must(await api.POST('/api/v1/imports', { body: { entity: 'leads', csv, dedupe, file_name: (file as File).name } }));
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['leads'] }),
  });
  const progress = useQuery({
    queryKey: ['imports', 'running'],
    enabled: run.isPending,
    refetchInterval: 500,
    queryFn: async () => must(await api.GET('/api/v1/imports', { params: { query: { status: 'running', sort: '-created_at', limit: 1 } } })).data[0] ?? null,
  });
  const close = () => {
    run.reset();
    setFile(null);
    onClose();
  };
  const result = run.data;
  const running = progress.data;

  return (
    <Modal opened={opened} onClose={close} title="Import leads from CSV" size="lg">
      <Stack>
        {!result && (
          <>
            <Text size="sm" c="dimmed">
              Columns are matched by name (“Full Name”, “E-mail”, “Company”, “Deal Value”…). Bad rows are reported and skipped.
            </Text>
            <FileInput label="CSV file" accept=".csv,text/csv" value={file} onChange={setFile} clearable placeholder="Choose a file" />
            <Select
              label="When a lead already exists (same email or phone)"
              data={[
                { value: 'update', label: 'Update it' },
                { value: 'skip', label: 'Skip the row' },
                { value: 'create', label: 'Create another lead' },
              ]}
              value={dedupe}
              onChange={(v) => setDedupe((v as Dedupe) ?? 'update')}
              allowDeselect={false}
            />
            {run.isPending && (
              <Stack gap={4} aria-live="polite">
                <Progress
                  value={running && running.total_rows > 0 ? (running.processed_rows / running.total_rows) * 100 : 5}
                  animated
                  aria-label="Import progress"
                />
                <Text size="xs" c="dimmed">
                  {running ? `${running.processed_rows} of ${running.total_rows} rows` : 'Uploading…'}
                </Text>
              </Stack>
            )}
            {run.isError && <Alert color="red">{errorMessage(run.error)}</Alert>}
            <Group justify="flex-end">
              <Button variant="default" onClick={close}>
                Cancel
              </Button>
              <Button onClick={() => run.mutate()} disabled={!file} loading={run.isPending}>
                Import
              </Button>
            </Group>
          </>
        )}
        {result && (
          <>
            <Alert color={result.failed_count ? 'yellow' : 'teal'} title={`Import ${result.status}`}>
              {result.created_count} created, {result.updated_count} updated, {result.skipped_count} skipped, {result.failed_count} failed of{' '}
              {result.total_rows} rows.
            </Alert>
            {result.errors.length > 0 && (
              <List size="sm" aria-label="Rows not imported">
                {result.errors.slice(0, 50).map((e, i) => (
                  <List.Item key={i}>
                    Row {e.row}
                    {e.field ? ` (${e.field})` : ''}: {e.message}
                  </List.Item>
                ))}
              </List>
            )}
            <Group justify="flex-end">
              <Button onClick={close}>Done</Button>
            </Group>
          </>
        )}
      </Stack>
    </Modal>
  );
}
