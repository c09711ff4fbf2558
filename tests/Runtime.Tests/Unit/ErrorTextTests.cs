using System.Net.Sockets;
using System.Security.Authentication;
using MetricsOperator.Runtime.Logging;

namespace MetricsOperator.Runtime.Tests.Unit;

public sealed class ErrorTextTests
{
    [Fact]
    public void A_tls_failure_names_the_certificates_refusal_not_only_the_inner_exception()
    {
        // The chain SocketsHttpHandler throws when the CA does not vouch for the API server (seen in the chiseled root).
        var refused = new HttpRequestException(
            "The SSL connection could not be established, see inner exception.",
            new AuthenticationException("The remote certificate was rejected by the provided RemoteCertificateValidationCallback."));

        ErrorText.Of(refused).ShouldBe("The SSL connection could not be established: The remote certificate was rejected by the provided RemoteCertificateValidationCallback");
    }

    [Fact]
    public void Each_message_appears_once_and_an_exception_without_causes_keeps_its_message()
    {
        var socket = new SocketException((int)SocketError.ConnectionRefused);
        var wrapped = new HttpRequestException(socket.Message, socket);

        ErrorText.Of(wrapped).ShouldBe(socket.Message.TrimEnd('.'));
        ErrorText.Of(new IOException("The response ended prematurely.")).ShouldBe("The response ended prematurely");
    }

    [Fact]
    public void A_long_chain_stops_after_four_causes()
    {
        Exception e = new InvalidOperationException("5");
        foreach (var level in new[] { "4", "3", "2", "1" })
        {
            e = new InvalidOperationException(level, e);
        }

        ErrorText.Of(e).ShouldBe("1: 2: 3: 4");
    }
}
