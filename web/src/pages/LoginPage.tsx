import { Alert, Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useForm } from '@mantine/form';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api, errorMessage, must } from '../api/client';
import { ME_KEY } from '../lib/auth';

export function LoginPage() {
  const queryClient = useQueryClient();
  const form = useForm({
    initialValues: { email: '', password: '' },
    validate: {
      email: (v) => (/^\S+@\S+$/.test(v) ? null : 'Enter your email address'),
      password: (v) => (v ? null : 'Enter your password'),
    },
  });
  const login = useMutation({
    mutationFn: async (values: { email: string; password: string }) =>
      must(await api.POST('/api/v1/auth/login', { body: values })).user,
    // The app then renders its routes, and /login forwards to ?next.
    onSuccess: (user) => queryClient.setQueryData(ME_KEY, user),
  });

  return (
    <Center mih="100vh" bg="var(--clara-surface)" p="md">
      <Paper component="main" withBorder shadow="sm" p="xl" w="100%" maw={380}>
        <form onSubmit={form.onSubmit((values) => login.mutate(values))} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                Clara
              </Title>
              <Text c="dimmed" size="sm">
                Sign in to your sales CRM
              </Text>
            </div>
            {login.isError && (
              <Alert color="red" role="alert" title="Could not sign in">
                {errorMessage(login.error)}
              </Alert>
            )}
            <TextInput label="Email" type="email" autoComplete="username" required autoFocus {...form.getInputProps('email')} />
            <PasswordInput label="Password" autoComplete="current-password" required {...form.getInputProps('password')} />
            <Button type="submit" loading={login.isPending} fullWidth>
              Sign in
            </Button>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}
