using System.CommandLine;
using MetricsOperator.Backup.Destinations;

namespace MetricsOperator.Cli;

/// <summary>
/// Where the <c>backup</c> and <c>restore</c> commands read and write snapshots: a folder (a mounted PVC destination)
/// or an S3-compatible bucket. The S3 keys come from the environment (<c>AWS_ACCESS_KEY_ID</c>,
/// <c>AWS_SECRET_ACCESS_KEY</c>; see <see cref="CommandEnvironment"/>).
/// </summary>
internal sealed record DestinationOptions(Option<string?> Dir, Option<string?> Bucket, Option<string> Prefix, Option<string?> Endpoint, Option<string> Region)
{
    public static DestinationOptions Create() => new(
        new Option<string?>("--dir") { Description = "Use this folder (a PVC destination, mounted) instead of S3." },
        new Option<string?>("--s3-bucket") { Description = "S3 bucket of the destination (spec.backup.*.destination.s3.bucket)." },
        new Option<string>("--s3-prefix") { Description = "Key prefix of the destination.", DefaultValueFactory = _ => "" },
        new Option<string?>("--s3-endpoint") { Description = "Endpoint of a non-AWS store, e.g. https://storage.googleapis.com." },
        new Option<string>("--s3-region") { Description = "Region.", DefaultValueFactory = _ => "us-east-1" });

    public void AddTo(Command command)
    {
        command.Options.Add(Dir);
        command.Options.Add(Bucket);
        command.Options.Add(Prefix);
        command.Options.Add(Endpoint);
        command.Options.Add(Region);
    }

    /// <summary>The destination the parsed options name.</summary>
    /// <exception cref="ArgumentException">Neither --dir nor --s3-bucket, or an S3 key missing from the environment.</exception>
    public IBackupDestination Open(ParseResult result)
    {
        if (result.GetValue(Dir) is { Length: > 0 } dir)
        {
            return new DirectoryBackupDestination(dir);
        }

        var bucket = result.GetValue(Bucket) ?? throw new ArgumentException("give --dir or --s3-bucket");
        var endpoint = result.GetValue(Endpoint) is { Length: > 0 } e ? new Uri(e) : null;
        return new S3BackupDestination(new S3Settings(bucket, result.GetRequiredValue(Prefix), endpoint, result.GetRequiredValue(Region),
            CommandEnvironment.Required(S3Settings.AccessKeyIdKey), CommandEnvironment.Required(S3Settings.SecretAccessKeyKey)));
    }
}
