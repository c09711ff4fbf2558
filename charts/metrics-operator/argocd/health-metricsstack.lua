-- Argo CD health of a metrics.lsst.io MetricsStack (resource.customizations.health.metrics.lsst.io_MetricsStack).
-- Healthy: Ready=True for the current generation. Progressing: no status yet, the operator has not observed the
-- current generation, Ready is Unknown, or Ready=False for a reason that resolves by itself (pods starting,
-- InfluxDB not answering yet). Deleting: Progressing "Deleting". Degraded: Ready=False for any other reason,
-- with the condition's message; and Ready=False ComponentsNotReady when a component condition is False for a reason
-- that does not resolve by itself (a failing backup, a nearly full disk), with that condition's message.
-- Written for Lua 5.1 (Argo CD's gopher-lua); tested with lua5.4.
local hs = {}
local transient = {
  ComponentsNotReady = true, Progressing = true, NotFound = true, Unreachable = true, Reconciling = true,
}
-- Component reasons that resolve by themselves: a workload rolling out, a server not answering yet, a step waiting
-- for the one before it, a volume growing.
local componentTransient = {
  Progressing = true, NotFound = true, Unreachable = true, Reconciling = true, Waiting = true, Resizing = true,
  GrafanaUnavailable = true,
}
if obj.metadata ~= nil and obj.metadata.deletionTimestamp ~= nil then
  hs.status = "Progressing"
  hs.message = "Deleting"
  return hs
end
local generation = 0
if obj.metadata ~= nil and obj.metadata.generation ~= nil then
  generation = obj.metadata.generation
end
if obj.status == nil or obj.status.observedGeneration == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to report status"
  return hs
end
if obj.status.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local ready = nil
if obj.status.conditions ~= nil then
  for _, condition in ipairs(obj.status.conditions) do
    if condition.type == "Ready" then
      ready = condition
    end
  end
end
if ready == nil then
  hs.status = "Progressing"
  hs.message = "Waiting for the Ready condition"
  return hs
end
if ready.observedGeneration ~= nil and ready.observedGeneration < generation then
  hs.status = "Progressing"
  hs.message = "Waiting for the operator to observe generation " .. generation
  return hs
end
local message = ready.message or ""
if ready.reason ~= nil and message == "" then
  message = ready.reason
end
if ready.status == "True" then
  hs.status = "Healthy"
elseif ready.status == "False" and not transient[ready.reason or ""] then
  hs.status = "Degraded"
else
  hs.status = "Progressing"
  if ready.status == "False" and ready.reason == "ComponentsNotReady" then
    for _, condition in ipairs(obj.status.conditions) do
      if condition.type ~= "Ready" and condition.status == "False" and not componentTransient[condition.reason or ""] then
        hs.status = "Degraded"
        message = condition.type .. ": " .. (condition.message or condition.reason or "")
        break
      end
    end
  end
end
hs.message = message
return hs
