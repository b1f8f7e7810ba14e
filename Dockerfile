# The wsgrid image: the fat jar and the default config on a Java 17 runtime.
#   mvn -B -q package -DskipTests && docker build -t wsgrid:0.1.0 .
FROM eclipse-temurin:17-jre
WORKDIR /opt/wsgrid
COPY target/wsgrid.jar /opt/wsgrid/wsgrid.jar
COPY conf/ /opt/wsgrid/conf/
EXPOSE 8080 8081 5701
ENTRYPOINT ["java", "-jar", "/opt/wsgrid/wsgrid.jar"]
CMD ["node", "--host", "0.0.0.0"]
