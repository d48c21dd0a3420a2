import { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { version } from '../server/version.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { userCreateCommand } from './user.js';
import { apiKeyCreateCommand } from './apikey.js';
import { doctorCommand } from './doctor.js';

const program = new Command()
  .name('clara')
  .description('Clara, the voice-first AI sales CRM')
  .version(version)
  .showHelpAfterError();

program.command('serve').description('Run the server (embedded PostgreSQL unless DATABASE_URL is set)').action(async () => {
  await serveCommand(loadConfig());
});

program.command('migrate').description('Apply pending database migrations').action(async () => {
  await migrateCommand(loadConfig());
});

const user = program.command('user').description('Manage users');
user
  .command('create')
  .description('Create a user who can sign in')
  .requiredOption('--email <email>')
  .requiredOption('--name <full name>')
  .option('--role <role>', 'admin | manager | agent | viewer', 'agent')
  .option('--password <password>', 'at least 10 characters (default: generated and printed)')
  .option('--manager <email>', "the user's manager")
  .action(async (options) => {
    await userCreateCommand(loadConfig(), options);
  });

const apikey = program.command('apikey').description('Manage API keys');
apikey
  .command('create')
  .description('Create an API key; prints it once')
  .requiredOption('--role <role>', 'admin | manager | agent | viewer')
  .option('--name <name>', 'what the key is for', 'cli')
  .action(async (options) => {
    await apiKeyCreateCommand(loadConfig(), options);
  });

program.command('doctor').description('Check the database, migrations and configuration').action(async () => {
  process.exitCode = await doctorCommand(loadConfig());
});

program.parseAsync().catch((error: unknown) => {
  const message =
    error instanceof z.ZodError
      ? error.issues.map((issue) => `${issue.path.join('.') || 'input'}: ${issue.message}`).join('\n  ')
      : error instanceof Error
        ? error.message
        : String(error);
  process.stderr.write(`clara: ${message}\n`);
  process.exitCode = 1;
});
