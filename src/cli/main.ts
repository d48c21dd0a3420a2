import { Command } from 'commander';
import { z } from 'zod';
import { loadConfig } from '../config/config.js';
import { version } from '../server/version.js';
import { serveCommand } from './serve.js';
import { migrateCommand } from './migrate.js';
import { userCreateCommand } from './user.js';
import { apiKeyCreateCommand } from './apikey.js';
import { doctorCommand } from './doctor.js';
import { exportCommand, importCommand } from './import-export.js';

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

program
  .command('import')
  .description('Import leads, clients or contacts from a CSV file, with a progress bar; exit code 1 if any row failed')
  .argument('<entity>', 'leads | clients | contacts')
  .argument('<file>', 'the CSV file')
  .option('--map <mapping>', 'columns to fields: "CSV Header=field,Other=field" (an empty field ignores the column)')
  .option('--dedupe <mode>', 'a row matching an existing record: update | skip | create', 'update')
  .option('--as <email>', 'the user to import as (default: the first active admin)')
  .action(async (entity: string, file: string, options) => {
    process.exitCode = await importCommand(loadConfig(), entity, file, options);
  });

program
  .command('export')
  .description('Export leads, clients or contacts as CSV, with the filters of the list API')
  .argument('<entity>', 'leads | clients | contacts')
  .option('--out <file>', 'write to this file (default: standard output)')
  .option('--filter <filters>', 'list filters: "status_bucket=P1,P2,agent_id=null" (repeatable)', (value: string, previous: string[]) => [...previous, value], [] as string[])
  .option('--as <email>', 'the user to export as (default: the first active admin)')
  .action(async (entity: string, options) => {
    await exportCommand(loadConfig(), entity, options);
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
