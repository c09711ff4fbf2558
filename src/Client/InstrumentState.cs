using System.Diagnostics.Metrics;
using System.Text;

namespace Lsst.Metrics.Client;

/// <summary>What the client precomputes once per instrument, so that the record path formats nothing.</summary>
internal sealed class InstrumentState
{
    public InstrumentState(int id, LsstMetricsClient owner, MeasurementRing ring, Instrument instrument, string measurement, MetricsSettings settings)
    {
        Id = id;
        Owner = owner;
        Ring = ring;
        Instrument = instrument;
        Measurement = measurement;

        var reserved = new List<string>();
        var prefix = new StringBuilder();
        LineProtocol.AppendMeasurement(prefix, measurement);
        foreach (var (key, value) in settings.GlobalTags)
        {
            prefix.Append(',');
            LineProtocol.AppendKey(prefix, key).Append('=');
            LineProtocol.AppendKey(prefix, value);
            reserved.Add(key);
        }

        if (settings.UnitTag && !string.IsNullOrEmpty(instrument.Unit) && LineProtocol.Invalid(instrument.Unit) is null)
        {
            prefix.Append(",unit=");
            LineProtocol.AppendKey(prefix, instrument.Unit);
            reserved.Add("unit");
        }

        Prefix = prefix.ToString();
        ReservedKeys = [.. reserved];
    }

    /// <summary>Index in the owner's table of instruments (what a buffered measurement holds).</summary>
    public int Id { get; }

    /// <summary>The client the measurements go to.</summary>
    public LsstMetricsClient Owner { get; }

    /// <summary>The owner's ring, one dereference from the state the listener hands to the record callback.</summary>
    public MeasurementRing Ring { get; }

    /// <summary>The instrument.</summary>
    public Instrument Instrument { get; }

    /// <summary>The measurement name (unescaped).</summary>
    public string Measurement { get; }

    /// <summary>Escaped measurement followed by the global tags and the unit tag, ready to start a line.</summary>
    public string Prefix { get; }

    /// <summary>Tag keys already in <see cref="Prefix"/>: a measurement tag with one of these keys is left out.</summary>
    public string[] ReservedKeys { get; }

    /// <summary>Whether <paramref name="key"/> is already set by the prefix.</summary>
    public bool IsReserved(string key)
    {
        foreach (var r in ReservedKeys)
        {
            if (string.Equals(r, key, StringComparison.Ordinal))
            {
                return true;
            }
        }

        return false;
    }
}
