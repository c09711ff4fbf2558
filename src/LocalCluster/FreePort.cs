using System.Net;
using System.Net.Sockets;

namespace MetricsOperator.LocalCluster;

/// <summary>Picks loopback ports nobody is listening on.</summary>
public static class FreePort
{
    /// <summary>Asks the kernel for a free loopback port and releases it for the caller to bind.</summary>
    public static int Next()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
